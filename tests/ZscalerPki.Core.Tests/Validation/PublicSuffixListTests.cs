using ZscalerPki.Core.Validation;

namespace ZscalerPki.Core.Tests.Validation;

/// <summary>The embedded Public Suffix List: both sections for the WebPki rule, the ICANN section alone for Chrome's.</summary>
public class PublicSuffixListTests
{
    [Theory]
    [InlineData("com", true, true)]
    [InlineData("co.uk", true, true)]
    [InlineData("example.co.uk", false, false)]
    [InlineData("github.io", true, false)] // a private-section entry: Chromium's EXCLUDE_PRIVATE_REGISTRIES does not count it
    [InlineData("foo.github.io", false, false)]
    [InlineData("localhost", true, true)] // one label: the default rule "*"
    public void IcannSection_IsTheListWithoutItsPrivateEntries(string domain, bool publicSuffix, bool icannSuffix)
    {
        Assert.Equal(publicSuffix, PublicSuffixList.IsPublicSuffix(domain));
        Assert.Equal(icannSuffix, PublicSuffixList.IsIcannPublicSuffix(domain));
    }
}
