using System.Security.Cryptography;

namespace ZscalerPki.Core.Certificates;

/// <summary>A PEM block found by <see cref="PemScanner"/>; ranges are relative to the text searched (as in <see cref="PemFields"/>).</summary>
internal readonly record struct PemBlock(Range Location, Range Label, Range Base64Data, int DecodedDataLength);

/// <summary>
/// Finds RFC 7468 PEM blocks in time linear in the input. <see cref="PemEncoding.TryFind(ReadOnlySpan{char}, out PemFields)"/>
/// searches the rest of the text for an END line once per BEGIN line, so an input of many BEGIN lines without END took
/// minutes at 10 MB; here each character is looked at a bounded number of times, and .NET's parser only ever sees one
/// candidate block.
/// </summary>
internal static class PemScanner
{
    private const string BeginMarker = "-----BEGIN ";
    private const string EndMarker = "-----END ";
    private const string Dashes = "-----";

    /// <summary>The first well-formed PEM block in <paramref name="text"/>, like <see cref="PemEncoding.TryFind(ReadOnlySpan{char}, out PemFields)"/>.</summary>
    public static bool TryFind(ReadOnlySpan<char> text, out PemBlock block)
    {
        block = default;
        int searchFrom = 0;
        while (searchFrom < text.Length)
        {
            int begin = text[searchFrom..].IndexOf(BeginMarker, StringComparison.Ordinal);
            if (begin < 0)
            {
                return false;
            }
            begin += searchFrom;
            int end = text[begin..].IndexOf(EndMarker, StringComparison.Ordinal);
            if (end < 0)
            {
                // No END line after this BEGIN: none after any later BEGIN either.
                return false;
            }
            end += begin;
            // The block is bounded by the last BEGIN line before this END line.
            int blockStart = begin + text[begin..end].LastIndexOf(BeginMarker, StringComparison.Ordinal);
            int afterEndMarker = end + EndMarker.Length;
            int closing = text[afterEndMarker..].IndexOf(Dashes, StringComparison.Ordinal);
            if (closing < 0)
            {
                return false;
            }
            int blockEnd = afterEndMarker + closing + Dashes.Length;
            if (PemEncoding.TryFind(text[blockStart..blockEnd], out var fields))
            {
                block = new PemBlock(
                    Shift(fields.Location, blockStart),
                    Shift(fields.Label, blockStart),
                    Shift(fields.Base64Data, blockStart),
                    fields.DecodedDataLength);
                return true;
            }
            searchFrom = afterEndMarker;
        }
        return false;
    }

    private static Range Shift(Range range, int offset) => new(range.Start.Value + offset, range.End.Value + offset);
}
