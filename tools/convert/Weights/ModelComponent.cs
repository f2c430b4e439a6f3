using Wan.Convert.Layout;
using Wan.Runtime.Weights;

namespace Wan.Convert.Weights;

/// <summary>One weight-carrying component of a model directory, named as in the diffusers layout
/// ("transformer", "text_encoder", ...), with the map from its stored names to diffusers names.</summary>
public sealed record ModelComponent(string Name, ComponentKind Kind, ITensorSource Source, IKeyMap? Map)
{
    /// <summary>The diffusers name of a stored tensor (stored names are diffusers names when there is no map).</summary>
    public string DiffusersName(string storedName) => Map is null ? storedName : Map.Require(storedName, Source.Location);
}
