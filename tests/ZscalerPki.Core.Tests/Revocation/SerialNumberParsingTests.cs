using ZscalerPki.Core.Revocation;

namespace ZscalerPki.Core.Tests.Revocation;

/// <summary>Serials as tools print them are accepted; a minus sign or stray dashes are refused, never stripped.</summary>
public sealed class SerialNumberParsingTests
{
    [Theory]
    [InlineData("0A1B2C", "0A1B2C")]
    [InlineData("0x0a1b2c", "0A1B2C")]
    [InlineData("0a:1b:2c", "0A1B2C")]
    [InlineData("0a 1b 2c", "0A1B2C")]
    [InlineData(" 01 ", "01")]
    [InlineData("abc", "0ABC")]
    [InlineData("A0", "00A0")]
    [InlineData("00:a0:01", "00A001")]
    public void SerialsAsToolsPrintThem_AreAccepted(string text, string hex) =>
        Assert.Equal(hex, SerialNumbers.ToHex(SerialNumbers.Parse(text)));

    [Theory]
    [InlineData("-1")]
    [InlineData("-01")]
    [InlineData("01-02")]
    [InlineData("0-1")]
    [InlineData("01:2")]
    [InlineData("0a:1b 2c")]
    [InlineData("0a::1b")]
    [InlineData("0a1b:2c3d")]
    [InlineData(":")]
    [InlineData("0x")]
    public void MinusSignsDashesAndBrokenPairs_AreInvalidSerialNumber(string text)
    {
        var error = Assert.Throws<PkiException>(() => SerialNumbers.Parse(text));
        Assert.Equal(PkiErrorIds.InvalidSerialNumber, error.ErrorId);
        Assert.Contains($"'{text}'", error.Message);
    }
}
