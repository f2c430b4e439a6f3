namespace Wan.Convert.Layout;

/// <summary>Renames one component's tensors from the original Wan layout to the diffusers layout.</summary>
public interface IKeyMap
{
    /// <summary>The diffusers name, or null when the original name is not part of this component.</summary>
    string? ToDiffusers(string originalName);
}

public static class KeyMapExtensions
{
    /// <summary>The diffusers name; an unknown original name is an error naming the component's source.</summary>
    public static string Require(this IKeyMap map, string originalName, string location) =>
        map.ToDiffusers(originalName)
        ?? throw new InvalidDataException($"{location}: tensor '{originalName}' has no diffusers name (not part of a Wan {map.GetType().Name.Replace("KeyMap", "", StringComparison.Ordinal)} checkpoint)");
}
