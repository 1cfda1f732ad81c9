namespace ZscalerPki.Core;

/// <summary>
/// PowerShell's wildcard syntax (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, backtick escapes), case-insensitive,
/// implemented here because the engine has no System.Management.Automation reference.
/// </summary>
/// <remarks>
/// Matching never backtracks past the last <c>*</c>: the pattern is split at its stars into segments of one-character
/// tokens, and each segment is matched at its leftmost place in the text (the last one at the end). Leftmost is always
/// right for glob patterns, because a later star can absorb whatever an earlier segment skipped. The cost is at most
/// O(text × pattern), never exponential: a 1 MB subject against <c>*x*y*</c> is one pass, where the former regex
/// (<c>^.*x.*y.*$</c>) retried every split and did not finish.
/// </remarks>
public sealed class Wildcard
{
    private readonly Token[][] _segments;

    public Wildcard(string pattern)
    {
        Pattern = pattern;
        var segments = new List<Token[]>();
        var current = new List<Token>();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    current.Add(Token.Literal(pattern[++i]));
                    break;
                case '*':
                    segments.Add(current.ToArray());
                    current.Clear();
                    break;
                case '?':
                    current.Add(Token.AnyChar);
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close > i + 1 && CharacterSet(pattern[(i + 1)..close]) is { } set)
                    {
                        current.Add(set);
                        i = close;
                    }
                    else
                    {
                        current.Add(Token.Literal('['));
                    }
                    break;
                default:
                    current.Add(Token.Literal(c));
                    break;
            }
        }
        segments.Add(current.ToArray());
        _segments = segments.ToArray();
    }

    public string Pattern { get; }

    /// <summary>
    /// A bracket set: single characters and ranges (a-z); null when a range runs backwards ([z-a]), which PowerShell
    /// reports as an invalid pattern: such a bracket is then matched literally instead of failing.
    /// </summary>
    private static Token? CharacterSet(string body)
    {
        var ranges = new List<(char From, char To)>();
        for (var j = 0; j < body.Length; j++)
        {
            if (j + 2 < body.Length && body[j + 1] == '-')
            {
                if (body[j] > body[j + 2])
                    return null;
                ranges.Add((body[j], body[j + 2]));
                j += 2;
            }
            else
            {
                ranges.Add((body[j], body[j]));
            }
        }
        return Token.Set(ranges.ToArray());
    }

    public static bool ContainsWildcard(string? text) => text is not null && text.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public bool IsMatch(string? text)
    {
        if (text is null)
            return false;
        var first = _segments[0];
        var last = _segments[^1];
        if (_segments.Length == 1)
            return text.Length == first.Length && MatchesAt(first, text, 0);
        // Anchored head and tail, then each middle segment at its leftmost place between them.
        if (first.Length + last.Length > text.Length || !MatchesAt(first, text, 0) || !MatchesAt(last, text, text.Length - last.Length))
            return false;
        var position = first.Length;
        var end = text.Length - last.Length;
        for (var s = 1; s < _segments.Length - 1; s++)
        {
            var segment = _segments[s];
            var found = -1;
            for (var at = position; at + segment.Length <= end; at++)
            {
                if (MatchesAt(segment, text, at))
                {
                    found = at;
                    break;
                }
            }
            if (found < 0)
                return false;
            position = found + segment.Length;
        }
        return true;
    }

    private static bool MatchesAt(Token[] segment, string text, int at)
    {
        for (var k = 0; k < segment.Length; k++)
        {
            if (!segment[k].Matches(text[at + k]))
                return false;
        }
        return true;
    }

    /// <summary>One pattern position that matches exactly one character: a literal, <c>?</c>, or a bracket set.</summary>
    private sealed class Token
    {
        private readonly (char From, char To)[]? _ranges;
        private readonly char _lower;
        private readonly char _upper;
        private readonly bool _any;

        private Token((char, char)[]? ranges, char literal, bool any)
        {
            _ranges = ranges;
            _lower = char.ToLowerInvariant(literal);
            _upper = char.ToUpperInvariant(literal);
            _any = any;
        }

        public static readonly Token AnyChar = new(null, '\0', any: true);

        public static Token Literal(char c) => new(null, c, any: false);

        public static Token Set((char From, char To)[] ranges) => new(ranges, '\0', any: false);

        public bool Matches(char c)
        {
            if (_any)
                return true;
            if (_ranges is null)
                return c == _lower || c == _upper || char.ToLowerInvariant(c) == _lower || char.ToUpperInvariant(c) == _upper;
            // Case-insensitive like the literal: the character, its lower and its upper case form are each tried.
            return InRanges(c) || InRanges(char.ToLowerInvariant(c)) || InRanges(char.ToUpperInvariant(c));
        }

        private bool InRanges(char c)
        {
            foreach (var (from, to) in _ranges!)
            {
                if (c >= from && c <= to)
                    return true;
            }
            return false;
        }
    }
}
