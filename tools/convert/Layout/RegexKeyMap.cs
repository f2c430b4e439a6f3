using System.Text.RegularExpressions;

namespace Wan.Convert.Layout;

/// <summary>A key map given as whole-name regular expressions with replacements, tried in order.</summary>
public abstract class RegexKeyMap : IKeyMap
{
    private readonly (Regex Pattern, string Replacement)[] _rules;

    protected RegexKeyMap(params (string Pattern, string Replacement)[] rules) =>
        _rules = [.. rules.Select(r => (new Regex("^" + r.Pattern + "$", RegexOptions.CultureInvariant), r.Replacement))];

    public string? ToDiffusers(string originalName)
    {
        foreach (var (pattern, replacement) in _rules)
        {
            if (pattern.IsMatch(originalName))
            {
                return pattern.Replace(originalName, replacement);
            }
        }
        return null;
    }
}
