using System.Runtime.InteropServices;
using Wan.Kernels.Interop;

namespace Wan.Kernels.Device;

/// <summary>
/// A kernel launch recorded by the emulated device during capture: the argument values are copied
/// (by the kernel's parameter sizes, as cuLaunchKernel copies them into a graph node), so the caller's
/// argument array may go away and a replay passes the values of capture time.
/// </summary>
internal sealed unsafe class RecordedLaunch
{
    private const int Slot = 8; // every parameter gets an 8-byte-aligned slot: what any kernel argument needs

    private readonly EmulatedDevice _device;
    private readonly string _kernel;
    private readonly uint[] _grid, _block;
    private readonly uint _sharedBytes;
    private readonly int _parameters;
    private readonly long[] _values;
    private readonly int[] _offsets;

    public RecordedLaunch(EmulatedDevice device, string kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, void** args)
    {
        _device = device;
        var sizes = EmulatorLibrary.ParameterSizes(kernel)
            ?? throw new ArgumentException($"kernel '{kernel}' is not registered in the emulator library (missing WAN_REGISTER_KERNEL or a stale build)", nameof(kernel));
        _kernel = kernel;
        _grid = [(uint)grid.X, (uint)grid.Y, (uint)grid.Z];
        _block = [(uint)block.X, (uint)block.Y, (uint)block.Z];
        _sharedBytes = (uint)dynamicSharedBytes;
        _parameters = sizes.Length;
        int slots = sizes.Sum(s => (s + Slot - 1) / Slot);
        _values = new long[Math.Max(1, slots)];
        var bytes = MemoryMarshal.AsBytes(_values.AsSpan());
        int offset = 0;
        _offsets = new int[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            _offsets[i] = offset;
            new ReadOnlySpan<byte>(args[i], sizes[i]).CopyTo(bytes[offset..]);
            offset += (sizes[i] + Slot - 1) / Slot * Slot;
        }
    }

    /// <summary>Runs the launch on its device (under the device's schedules) with the values of capture time.</summary>
    public void Replay()
    {
        fixed (long* values = _values)
        {
            var args = stackalloc void*[Math.Max(1, _parameters)];
            for (int i = 0; i < _parameters; i++)
            {
                args[i] = (byte*)values + _offsets[i];
            }
            _device.Execute(_kernel, _grid, _block, _sharedBytes, args);
        }
    }
}
