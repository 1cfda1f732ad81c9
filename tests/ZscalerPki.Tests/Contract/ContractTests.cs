using System.Management.Automation;
using System.Reflection;
using System.Security;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ZscalerPki.Infrastructure;

namespace ZscalerPki.Tests.Contract;

/// <summary>
/// The module's public contract, read from the cmdlet types' attributes (CustomAttributeData): verbs, output types,
/// ShouldProcess, pipeline bindings, parameter conventions, manifest exports and MAML help; and what only the engine works
/// out (parameter sets, common parameters) from Get-Command in a real PowerShell.
/// </summary>
public sealed class ContractTests
{
    private static readonly Assembly Module = typeof(ZscalerPkiCmdlet).Assembly;

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            // The solution file marks the root: the test's output folder holds a copy of ZscalerPki.psd1 too (PwshHost imports it).
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ZscalerPki.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (ZscalerPki.sln) not found");
        }
    }

    public sealed record CmdletInfo(Type Type, string Verb, string Noun, IReadOnlyDictionary<string, object?> Named)
    {
        public string Name => $"{Verb}-{Noun}";

        public bool SupportsShouldProcess => Named.TryGetValue("SupportsShouldProcess", out var v) && v is true;
    }

    public sealed record ParameterInfo(PropertyInfo Property, IReadOnlyList<CustomAttributeData> ParameterAttributes)
    {
        public string Name => Property.Name;

        public bool Any(string named) => ParameterAttributes.Any(a => a.NamedArguments.Any(n => n.MemberName == named && n.TypedValue.Value is true));

        public IEnumerable<string> Aliases => Property.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(AliasAttribute))
            .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (string)v.Value!));
    }

    public static IReadOnlyList<CmdletInfo> Cmdlets() => Module.GetTypes()
        .Where(t => !t.IsAbstract && typeof(ZscalerPkiCmdlet).IsAssignableFrom(t))
        .Select(t =>
        {
            var attr = t.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute));
            return new CmdletInfo(t, (string)attr.ConstructorArguments[0].Value!, (string)attr.ConstructorArguments[1].Value!,
                attr.NamedArguments.ToDictionary(n => n.MemberName, n => n.TypedValue.Value));
        })
        .OrderBy(c => c.Name)
        .ToList();

    public static IReadOnlyList<ParameterInfo> Parameters(Type cmdlet) => cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => new ParameterInfo(p, p.GetCustomAttributesData().Where(a => a.AttributeType == typeof(ParameterAttribute)).ToList()))
        .Where(p => p.ParameterAttributes.Count > 0)
        .ToList();

    /// <summary>Get-Verb, from the constants of SMA's Verbs* classes (constants are metadata; nothing runs).</summary>
    private static HashSet<string> ApprovedVerbs() => new(
        new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsOther), typeof(VerbsSecurity) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!),
        StringComparer.Ordinal);

    [Fact]
    public void EveryCmdlet_IsSealed_UsesAnApprovedVerb_DeclaresOutputType()
    {
        var verbs = ApprovedVerbs();
        Assert.Contains("Submit", verbs);
        Assert.NotEmpty(Cmdlets());
        foreach (var c in Cmdlets())
        {
            Assert.True(c.Type.IsSealed, $"{c.Type.Name} should be sealed");
            Assert.True(c.Type.Name == c.Verb + c.Noun + "Command", $"{c.Type.Name} should be named {c.Verb}{c.Noun}Command");
            Assert.Contains(c.Verb, verbs);
            Assert.True(c.Type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(OutputTypeAttribute)), $"{c.Name} has no [OutputType]");
        }
    }

    [Fact]
    public void EveryCmdletThatWrites_SupportsShouldProcess()
    {
        var readOnly = new HashSet<string> { "Get", "Test" };
        foreach (var c in Cmdlets())
        {
            if (readOnly.Contains(c.Verb))
                Assert.False(c.SupportsShouldProcess, $"{c.Name} only reads; it should not offer -WhatIf");
            else
                Assert.True(c.SupportsShouldProcess, $"{c.Name} writes, so it must declare SupportsShouldProcess");
        }
    }

    [Fact]
    public void ParameterConventions_PasswordsAreSecureStrings_LiteralPathHasPSPath_VaultPathFromThePipeline()
    {
        foreach (var c in Cmdlets())
        {
            foreach (var p in Parameters(c.Type))
            {
                if (p.Name.EndsWith("Password", StringComparison.Ordinal))
                    Assert.True(p.Property.PropertyType == typeof(SecureString), $"{c.Name} -{p.Name} must be a SecureString");
                if (p.Name == "LiteralPath")
                    Assert.Contains("PSPath", p.Aliases);
                if (p.Name == "VaultPath")
                    Assert.True(p.Any("ValueFromPipelineByPropertyName"), $"{c.Name} -VaultPath must bind by property name, so piped objects keep their vault");
            }
            var names = Parameters(c.Type).Select(p => p.Name).ToHashSet();
            if (names.Contains("Path"))
                Assert.Contains("LiteralPath", names);
            Assert.Contains("VaultPath", names);
        }
    }

    [Theory]
    [InlineData("New-EnrollmentCertificate", "Parent", "ValueFromPipeline")]
    [InlineData("Get-EnrollmentCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Remove-EnrollmentCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Export-EnrollmentCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Import-SignedIntermediate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Import-SignedIntermediate", "Certificate", "ValueFromPipelineByPropertyName")]
    [InlineData("Submit-CertificateRequest", "Csr", "ValueFromPipeline")]
    [InlineData("Set-IntermediateCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Remove-IntermediateCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Export-IntermediateCertificate", "Name", "ValueFromPipelineByPropertyName")]
    [InlineData("Test-CertificateChain", "Certificate", "ValueFromPipeline")]
    [InlineData("Test-CertificateChain", "Certificate", "ValueFromPipelineByPropertyName")]
    public void PipelineBindings(string cmdlet, string parameter, string binding)
    {
        var c = Cmdlets().SingleOrDefault(x => x.Name == cmdlet);
        Assert.NotNull(c);
        var p = Parameters(c!.Type).Single(x => x.Name == parameter);
        Assert.True(p.Any(binding), $"{cmdlet} -{parameter} should bind {binding}");
    }

    [Fact]
    public void GetCommand_InPowerShell_ShowsEveryCmdlet_WithWhatIfWhereItWrites_AndAValidParameterSetLayout()
    {
        using var tmp = new TempDir();
        using var pwsh = new Harness.PwshHost(tmp.Path);
        // Get-Command builds each cmdlet's metadata, which fails for a clash the attributes alone do not show (two
        // parameters at one position in a set, an unknown default set).
        var run = pwsh.Script("Get-Command -Module ZscalerPki | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Parameters = @($_.Parameters.Keys); Sets = @($_.ParameterSets.Name); Default = $_.DefaultParameterSet } }").Succeeded();
        var commands = run.Output.Cast<PSObject>().ToDictionary(o => (string)o.Properties["Name"].Value);
        Assert.Equal(Cmdlets().Select(c => c.Name).Order(), commands.Keys.Order());
        foreach (var c in Cmdlets())
        {
            var command = commands[c.Name];
            var parameters = ((object[])command.Properties["Parameters"].Value).Cast<string>().ToList();
            Assert.Equal(c.SupportsShouldProcess, parameters.Contains("WhatIf") && parameters.Contains("Confirm"));
            var sets = ((object[])command.Properties["Sets"].Value).Cast<string>().ToList();
            var defaultSet = command.Properties["Default"].Value as string;
            if (sets.Count > 1)
                Assert.True(defaultSet is not null && sets.Contains(defaultSet), $"{c.Name}: default set '{defaultSet}' is not one of {string.Join(", ", sets)}");
        }
    }

    [Fact]
    public void ManifestExports_AreExactlyTheCmdletClasses()
    {
        var psd1 = File.ReadAllText(Path.Combine(RepoRoot, "ZscalerPki.psd1"));
        var block = Regex.Match(psd1, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.Singleline).Groups["list"].Value;
        var exported = Regex.Matches(block, @"'([^']+)'").Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(Cmdlets().Select(c => c.Name).Order().ToList(), exported);
        Assert.Matches(@"RootModule\s*=\s*'ZscalerPki.dll'", psd1);
        Assert.Matches(@"FormatsToProcess\s*=\s*@\('ZscalerPki.Format.ps1xml'\)", psd1);
    }

    /// <summary>Runs the build's help generator (tools/New-ModuleHelp.ps1) in this process against the tested module.</summary>
    private static (Harness.PwshResult Run, string Output) GenerateHelp(TempDir tmp, string source)
    {
        using var pwsh = new Harness.PwshHost(tmp.Path);
        var output = tmp.File("ZscalerPki.dll-Help.xml");
        var run = pwsh.Script("& $args[0] -ModulePath $args[1] -SourcePath $args[2] -OutputPath $args[3]",
            Path.Combine(RepoRoot, "tools", "New-ModuleHelp.ps1"), Harness.PwshHost.ModuleManifest, source, output);
        return (run, output);
    }

    [Fact]
    public void GeneratedHelp_DocumentsEveryCmdletAndParameter_WithNumberedExamples_AndTheOnlineUri()
    {
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        using var tmp = new TempDir();
        var (run, output) = GenerateHelp(tmp, Path.Combine(RepoRoot, "docs", "help"));
        run.Succeeded();
        var doc = XDocument.Load(output);
        var commands = doc.Root!.Elements(command + "command")
            .ToDictionary(e => e.Element(command + "details")!.Element(command + "name")!.Value.Trim());

        foreach (var c in Cmdlets())
        {
            Assert.True(commands.TryGetValue(c.Name, out var help), $"no help for {c.Name}");
            var details = help!.Element(command + "details")!;
            Assert.False(string.IsNullOrWhiteSpace(details.Element(maml + "description")?.Value), $"{c.Name}: no synopsis");
            Assert.False(string.IsNullOrWhiteSpace(help.Element(maml + "description")?.Value), $"{c.Name}: no description");
            var examples = help.Element(command + "examples")?.Elements(command + "example").ToList() ?? new();
            Assert.True(examples.Count >= 2, $"{c.Name}: {examples.Count} examples, want at least 2");
            for (var i = 0; i < examples.Count; i++)
            {
                Assert.Matches($@"^-+ Example {i + 1}: \S.* -+$", examples[i].Element(maml + "title")!.Value);
                Assert.Contains(c.Name, examples[i].Element(dev + "code")!.Value);
            }

            var documented = help.Element(command + "parameters")!.Elements(command + "parameter")
                .ToDictionary(p => p.Element(maml + "name")!.Value.Trim(), p => p.Element(maml + "description")?.Value.Trim() ?? string.Empty);
            foreach (var p in Parameters(c.Type))
            {
                Assert.True(documented.TryGetValue(p.Name, out var text), $"{c.Name} -{p.Name} is not in the help");
                Assert.False(string.IsNullOrWhiteSpace(text), $"{c.Name} -{p.Name} has an empty description");
            }
            var common = c.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>();
            Assert.All(documented.Keys, k => Assert.Contains(k, Parameters(c.Type).Select(p => p.Name).Concat(common)));

            // Switches are written without a value, so Get-Help shows [-Force], not [-Force <SwitchParameter>].
            Assert.DoesNotContain(help.Descendants(command + "parameterValue"), v => v.Value.Contains("Switch", StringComparison.OrdinalIgnoreCase));

            // Get-Help -Online: HelpUri on the cmdlet, the same URI as the first related link, naming the help source.
            var helpUri = c.Named.TryGetValue("HelpUri", out var uri) ? uri as string : null;
            Assert.Equal(HelpLinks.Base + c.Name + ".md", helpUri);
            Assert.Equal(helpUri, help.Element(command + "relatedLinks")!.Elements(maml + "navigationLink").First().Element(maml + "uri")!.Value);
            Assert.True(File.Exists(Path.Combine(RepoRoot, "docs", "help", c.Name + ".md")), $"docs/help/{c.Name}.md");
        }
        Assert.Equal(Cmdlets().Count, commands.Count);
        Assert.StartsWith("https://", HelpLinks.Base);

        var about = Path.Combine(RepoRoot, "en-US", "about_ZscalerPki.help.txt");
        Assert.True(File.Exists(about));
        Assert.Contains("about_ZscalerPki", File.ReadAllText(about));
    }

    [Fact]
    public void HelpGenerator_RefusesIncompleteHelp_NamingEveryCmdletAndParameterAtOnce_AndWritesNothing()
    {
        using var tmp = new TempDir();
        var source = Directory.CreateDirectory(tmp.File("help")).FullName;
        foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot, "docs", "help"), "*.md"))
            File.Copy(f, Path.Combine(source, Path.GetFileName(f)));
        // Two descriptions gone from two cmdlets, one for a parameter the code lacks, an example with a renamed parameter,
        // one that does not parse, prose naming a parameter no cmdlet has (beside one of Read-Host's), and a cmdlet without
        // a file.
        Edit("Publish-Crl.md", s => Regex.Replace(s, @"### -Delta\n.*?\n\n", string.Empty, RegexOptions.Singleline));
        Edit("Get-PkiVault.md", s => Regex.Replace(s, @"(### -VaultPath\n).*?\n\n", "### -Colour\nA parameter of no cmdlet.\n\n$1\n", RegexOptions.Singleline));
        Edit("Export-EnrollmentCertificate.md", s => Regex.Replace(s, @"(?m)^(Export-EnrollmentCertificate .*?)-IncludeChain\b", "$1-WithChain"));
        Edit("Get-IssuedCertificate.md", s => Regex.Replace(s, @"(?m)^(### Example 2: .*\n```powershell\n)", "$1(Get-IssuedCertificate\n"));
        Edit("Revoke-Certificate.md", s => s.Replace("## DESCRIPTION\n", "## DESCRIPTION\nSee -RevocationReason and Read-Host -AsSecureString.\n\n"));
        File.Delete(Path.Combine(source, "Set-PkiVault.md"));

        var (run, output) = GenerateHelp(tmp, source);
        Assert.NotNull(run.Terminating);
        var message = run.Terminating!.Exception.Message;
        Assert.Contains("Publish-Crl -Delta: no description", message);
        Assert.Contains("Get-PkiVault -VaultPath: no description", message);
        Assert.Contains("Get-PkiVault -Colour: described in", message);
        Assert.Contains("calls Export-EnrollmentCertificate -WithChain, which the cmdlet does not have", message);
        Assert.Contains("example 2 does not parse", message);
        Assert.Contains("Set-PkiVault: no help source", message);
        Assert.Contains("the text names -RevocationReason, which no cmdlet of the module has", message);
        Assert.DoesNotContain("-AsSecureString", message);
        Assert.False(File.Exists(output), "no help file is written while anything is missing");

        void Edit(string file, Func<string, string> change)
        {
            var path = Path.Combine(source, file);
            var before = File.ReadAllText(path);
            var after = change(before);
            Assert.NotEqual(before, after);
            File.WriteAllText(path, after);
        }
    }

    [Fact]
    public void FormatFile_HasAViewForEveryOutputTypeOfOurs()
    {
        var format = XDocument.Load(Path.Combine(RepoRoot, "src", "ZscalerPki", "ZscalerPki.Format.ps1xml"));
        var viewed = format.Descendants("TypeName").Select(t => t.Value.Trim()).ToHashSet();
        var ours = Cmdlets()
            .SelectMany(c => c.Type.GetCustomAttributesData().Where(a => a.AttributeType == typeof(OutputTypeAttribute)))
            .SelectMany(a => a.ConstructorArguments.SelectMany(Flatten))
            .OfType<Type>()
            .Where(t => t.Namespace?.StartsWith("ZscalerPki", StringComparison.Ordinal) == true)
            .Select(t => t.FullName!)
            .Distinct();
        foreach (var t in ours)
            Assert.Contains(t, viewed);

        static IEnumerable<object?> Flatten(CustomAttributeTypedArgument a) =>
            a.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : new[] { a.Value };
    }

    [Fact]
    public void EveryCmdlet_IsExercisedByThePesterSuite()
    {
        var pester = Directory.GetFiles(Path.Combine(RepoRoot, "tests"), "*.Tests.ps1").Select(File.ReadAllText).ToList();
        Assert.NotEmpty(pester);
        foreach (var c in Cmdlets())
            Assert.True(pester.Any(text => Regex.IsMatch(text, $@"(?m)^\s*[^#\r\n]*\b{Regex.Escape(c.Name)}\b")), $"no Pester test calls {c.Name}");
    }
}
