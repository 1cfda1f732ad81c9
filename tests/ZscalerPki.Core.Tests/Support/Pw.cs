namespace ZscalerPki.Core.Tests.Support;

public static class Pw
{
    public static ReadOnlyMemory<char> Of(string s) => s.ToCharArray();
}
