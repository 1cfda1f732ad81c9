using System.Diagnostics;

namespace ZscalerPki.Core.Tests;

/// <summary>PowerShell wildcard semantics, matched without backtracking (issue "hostile inputs", backtracking patterns).</summary>
public sealed class WildcardTests
{
    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("a*", "abc", true)]
    [InlineData("*c", "abc", true)]
    [InlineData("*b*", "abc", true)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("*a*b", "xaxbxb", true)]
    [InlineData("?", "", false)]
    [InlineData("??", "ab", true)]
    [InlineData("CN=*", "cn=Contoso", true)]
    [InlineData("[a-c]*", "Bob", true)]
    [InlineData("[abc]x", "dx", false)]
    [InlineData("a`*", "a*", true)]
    [InlineData("a`*", "ab", false)]
    [InlineData("`[a]", "[a]", true)]
    [InlineData("a`", "a`", true)]
    [InlineData("*`?", "what?", true)]
    [InlineData("*`?", "what", false)]
    [InlineData("abc", "abc\n", false)]
    [InlineData("a?c", "a\nc", true)]
    public void PowerShellSemantics(string pattern, string text, bool matches) =>
        Assert.Equal(matches, new Wildcard(pattern).IsMatch(text));

    [Theory]
    [InlineData("*x*y*")]
    [InlineData("*a*b")]
    [InlineData("*a*a*a*a*a*a*a*a*b")]
    [InlineData("*?*?*?*?*z")]
    public void AMegabyteSubject_IsMatchedInLinearTime(string pattern)
    {
        // Former regex ^.*x.*y.*$ never ended on a 1 MB subject, and '*a*b' took 10.8 s on 30,000 characters.
        var subject = "CN=" + new string('a', 1_000_000);
        var wildcard = new Wildcard(pattern);
        var watch = Stopwatch.StartNew();
        Assert.False(wildcard.IsMatch(subject));
        Assert.False(wildcard.IsMatch(new string('x', 1_000_000)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{pattern} took {watch.Elapsed.TotalMilliseconds:0} ms");
    }
}
