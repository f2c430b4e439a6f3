using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Wan.Kernels.Device;

namespace Wan.Bench;

/// <summary>
/// Per-launch overhead of the emulated CUDA device: <c>wan_smoke_axpy</c> on one element, so the
/// time is the launch path (name lookup, argument marshalling, fiber start per thread), not the
/// kernel. One thread per block next to a 128-thread block shows the per-thread fiber cost. Needs
/// libwan_emu.so (built with the bench project by kernels/emu/emulator.targets).
/// </summary>
[Config(typeof(BenchConfig))]
public unsafe class EmulatedLaunchBench
{
    private EmulatedDevice _device = null!;
    private DeviceBuffer _x = null!, _y = null!;
    private void** _args;
    private int* _n;
    private float* _a;
    private ulong* _xAddress, _yAddress;

    [Params(1, 128)]
    public int ThreadsPerBlock { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _device = new EmulatedDevice();
        _x = _device.Allocate(sizeof(float));
        _y = _device.Allocate(sizeof(float));
        _device.CopyToDevice(MemoryMarshal.AsBytes<float>([2f]), _x);
        _device.CopyToDevice(MemoryMarshal.AsBytes<float>([0f]), _y);
        // cuLaunchKernel-style arguments: an array of pointers to each argument's value, alive across launches.
        _n = (int*)NativeMemory.Alloc(sizeof(int));
        _a = (float*)NativeMemory.Alloc(sizeof(float));
        _xAddress = (ulong*)NativeMemory.Alloc(sizeof(ulong));
        _yAddress = (ulong*)NativeMemory.Alloc(sizeof(ulong));
        *_n = 1;
        *_a = 0.5f;
        *_xAddress = _x.Address;
        *_yAddress = _y.Address;
        _args = (void**)NativeMemory.Alloc((nuint)(4 * sizeof(void*)));
        _args[0] = _n;
        _args[1] = _a;
        _args[2] = _xAddress;
        _args[3] = _yAddress;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.Free(_args);
        NativeMemory.Free(_n);
        NativeMemory.Free(_a);
        NativeMemory.Free(_xAddress);
        NativeMemory.Free(_yAddress);
        _x.Dispose();
        _y.Dispose();
        _device.Dispose();
    }

    [Benchmark]
    public void LaunchSmokeAxpy() => _device.Launch("wan_smoke_axpy", new Dim3(1), new Dim3(ThreadsPerBlock), 0, _args);
}
