namespace Wan.Runtime.Pipeline.LongVideo;

/// <summary>
/// How two overlapping context windows are mixed in their overlap: each window's weight ramps from 0
/// towards 1 across the overlap, and the two ramps of a seam add up to 1 at every latent frame.
/// </summary>
public enum WindowBlending
{
    /// <summary>Raised cosine ramp ½ − ½·cos(π·a), a = (j + 1)/(r + 1): zero slope at both ends of the overlap (default; see docs/long-video.md).</summary>
    RaisedCosine,

    /// <summary>Linear ramp a = (j + 1)/(r + 1) over an overlap of r latent frames.</summary>
    Linear,
}
