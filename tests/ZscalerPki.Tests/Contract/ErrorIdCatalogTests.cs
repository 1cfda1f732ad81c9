using System.Reflection;
using System.Text.RegularExpressions;
using ZscalerPki.Core;

namespace ZscalerPki.Tests.Contract;

/// <summary>
/// ErrorIds are a catalog (<see cref="PkiErrorIds"/>): every id is used by the code, documented in about_ZscalerPki, and
/// asserted by at least one test (xunit or Pester); and the code raises no id that is not in the catalog.
/// </summary>
public sealed class ErrorIdCatalogTests
{
    private static readonly string Root = ContractTests.RepoRoot;

    public static IReadOnlyList<string> CatalogIds() => typeof(PkiErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    private static string ReadAll(string folder, params string[] patterns) => string.Join("\n",
        patterns.SelectMany(p => Directory.GetFiles(Path.Combine(Root, folder), p, SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => !f.EndsWith("PkiErrorIds.cs", StringComparison.Ordinal) && !f.EndsWith("ErrorIdCatalogTests.cs", StringComparison.Ordinal))
            .Select(File.ReadAllText));

    [Fact]
    public void EveryId_KeepsItsNameAsItsValue_AndHasAMeaning()
    {
        var fields = typeof(PkiErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).ToList();
        Assert.True(fields.Count >= 90, $"only {fields.Count} ids");
        Assert.All(fields, f => Assert.Equal(f.Name, (string)f.GetRawConstantValue()!));
        var source = File.ReadAllText(Path.Combine(Root, "src", "ZscalerPki.Core", "PkiErrorIds.cs"));
        foreach (var f in fields)
            Assert.Matches(new Regex($@"/// <summary>[^<]{{10,}}</summary>\s*public const string {f.Name} "), source);
    }

    [Fact]
    public void EveryId_IsUsedByTheCode()
    {
        var src = ReadAll("src", "*.cs");
        var unused = CatalogIds().Where(id => !src.Contains($"PkiErrorIds.{id}", StringComparison.Ordinal)).ToList();
        Assert.True(unused.Count == 0, "catalogued but never raised: " + string.Join(", ", unused));
    }

    [Fact]
    public void TheCode_RaisesOnlyCataloguedIds()
    {
        var src = ReadAll("src", "*.cs");
        var literal = Regex.Matches(src, @"PkiException\(\s*""(\w+)""").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(literal.Count == 0, "ids as string literals instead of PkiErrorIds constants: " + string.Join(", ", literal));
    }

    [Fact]
    public void EveryId_IsDocumentedInAboutZscalerPki()
    {
        var about = File.ReadAllText(Path.Combine(Root, "en-US", "about_ZscalerPki.help.txt"));
        var missing = CatalogIds().Where(id => !Regex.IsMatch(about, $@"(?m)^\s+{id}\b")).ToList();
        Assert.True(missing.Count == 0, "not listed under ERROR IDS in about_ZscalerPki (run python3 tests/tools/update_about_error_ids.py): " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryId_IsAssertedByATest()
    {
        var tests = ReadAll("tests", "*.cs", "*.ps1");
        var unasserted = CatalogIds()
            .Where(id => !Regex.IsMatch(tests, $@"PkiErrorIds\.{id}\b|""{id}""|'{id}(\*|,|')"))
            .ToList();
        Assert.True(unasserted.Count == 0, "no test asserts: " + string.Join(", ", unasserted));
    }
}
