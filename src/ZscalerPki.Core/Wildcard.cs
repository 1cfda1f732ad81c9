using System.Text;
using System.Text.RegularExpressions;

namespace ZscalerPki.Core;

/// <summary>
/// PowerShell's wildcard syntax (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, backtick escapes), case-insensitive,
/// implemented here because the engine has no System.Management.Automation reference.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        Pattern = pattern;
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close > i + 1 && CharacterSet(pattern[(i + 1)..close]) is { } set)
                    {
                        sb.Append(set);
                        i = close;
                    }
                    else
                    {
                        sb.Append("\\[");
                    }
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        sb.Append('$');
        _regex = new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    /// <summary>
    /// A bracket set as a regex class: single characters and ranges (a-z), each escaped; null when a range runs backwards
    /// ([z-a]), which PowerShell reports as an invalid pattern: such a bracket is then matched literally instead of failing.
    /// </summary>
    private static string? CharacterSet(string body)
    {
        var sb = new StringBuilder("[");
        for (var j = 0; j < body.Length; j++)
        {
            if (j + 2 < body.Length && body[j + 1] == '-')
            {
                if (body[j] > body[j + 2])
                    return null;
                sb.Append(Escape(body[j])).Append('-').Append(Escape(body[j + 2]));
                j += 2;
            }
            else
            {
                sb.Append(Escape(body[j]));
            }
        }
        return sb.Append(']').ToString();

        static string Escape(char c) => c is '\\' or '^' or '-' or '[' or ']' ? "\\" + c : c.ToString();
    }

    public static bool ContainsWildcard(string? text) => text is not null && text.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public bool IsMatch(string? text) => text is not null && _regex.IsMatch(text);
}
