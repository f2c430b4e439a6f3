using System.Text;
using System.Text.Json;

namespace Wan.Server.Creative;

/// <summary>One spelling per JSON value (object keys sorted ordinally, no white space, numbers as written): two requests with the same post-processing hash alike.</summary>
internal static class CanonicalJson
{
    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    public static string Write(JsonElement value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    /// <summary>The canonical form of <paramref name="value"/> as a detached element.</summary>
    public static JsonElement Normalise(JsonElement value)
    {
        using var document = JsonDocument.Parse(Write(value));
        return document.RootElement.Clone();
    }

    private static void Append(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                bool first = true;
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ",").Append(JsonSerializer.Serialize(property.Name)).Append(':');
                    Append(text, property.Value);
                    first = false;
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                int i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(i++ == 0 ? "" : ",");
                    Append(text, item);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                text.Append(JsonSerializer.Serialize(value.GetString()));
                break;
            default:
                text.Append(value.GetRawText());
                break;
        }
    }
}
