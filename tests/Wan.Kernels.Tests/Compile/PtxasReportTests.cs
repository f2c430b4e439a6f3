using Wan.Kernels.Compile;

namespace Wan.Kernels.Tests.Compile;

public class PtxasReportTests
{
    [Test]
    public void ParsesEntriesAndSkipsDeviceFunctions()
    {
        const string log = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Compiling entry function 'norm' for 'sm_90'
            ptxas info    : Function properties for helper_fn
            ptxas         .     24 bytes stack frame, 8 bytes spill stores, 8 bytes spill loads
            ptxas info    : Function properties for norm
            ptxas         .     16 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
            ptxas info    : Used 40 registers, 2048 bytes smem, 380 bytes cmem[0]
            ptxas info    : Compiling entry function 'add' for 'sm_90'
            ptxas info    : Function properties for add
            ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
            ptxas info    : Used 9 registers, 372 bytes cmem[0]
            """;
        Assert.That(PtxasReport.Parse(log), Is.EqualTo(new[]
        {
            new KernelResources("norm", "sm_90", 40, 2048, 16, 4, 12),
            new KernelResources("add", "sm_90", 9, 0, 0, 0, 0),
        }));
    }
}
