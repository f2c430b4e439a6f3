namespace Wan.Convert.Weights;

/// <summary>The weight-carrying components of a Wan pipeline.</summary>
public enum ComponentKind
{
    Transformer,
    TextEncoder,
    Vae,
}
