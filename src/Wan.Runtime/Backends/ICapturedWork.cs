namespace Wan.Runtime.Backends;

/// <summary>
/// Work recorded by <see cref="IStepCapture.Capture"/>: replayed with one host call, reading the
/// tensors it captured at the addresses of capture time. Disposing frees the memory it owns.
/// </summary>
public interface ICapturedWork : IDisposable
{
    /// <summary>Kernel launches recorded (what one replay runs besides <see cref="Gemms"/>).</summary>
    int Kernels { get; }

    /// <summary>GEMMs recorded.</summary>
    int Gemms { get; }

    /// <summary>Bytes of device memory the recording owns (the tensors created inside it).</summary>
    long OwnedBytes { get; }

    /// <summary>Runs every recorded op again, in order.</summary>
    /// <exception cref="ObjectDisposedException">after <see cref="IDisposable.Dispose"/>.</exception>
    void Replay();
}
