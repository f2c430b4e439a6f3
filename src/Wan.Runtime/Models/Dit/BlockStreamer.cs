using Wan.Kernels.Device;
using Wan.Runtime.Backends.Cuda;

namespace Wan.Runtime.Models.Dit;

/// <summary>
/// The double buffer streamed DiT blocks go through (issue 11, item 5): two device slots sized for the largest block
/// and two staging buffers, shared by the experts of one model. When a forward enters block i the streamer makes sure
/// block i is queued into a slot, queues the next block (i + 1, or block 0 of the next forward — the same expert, or
/// the next one at the expert switch: the prefetch) into the other slot so it copies while block i computes, and
/// makes the compute stream wait for block i's upload (<see cref="IUploadStream.WaitOnCompute"/>). A slot is
/// refilled only by an upload ordered after the compute mark taken when the last block that read it was queued
/// (<see cref="IUploadStream.Upload"/>'s <c>after</c>), and a staging buffer is rewritten only after
/// <see cref="IUploadStream.WaitOnHost"/> says its previous upload completed. What the slots hold is tracked, so a
/// wrong prefetch guess costs an unhidden upload, never a wrong weight. Streaming work cannot be graph-captured
/// (uploads and waits are refused in a capture). One thread at a time (forwards are serialized by the engine).
/// <para>
/// The prefetched block's staging is filled on a worker thread (the checkpoint read and the dtype conversion of
/// <see cref="StreamedBlocks.Fill"/>, ~0.6 s per A14B block measured on an H200 host), and its upload is queued once
/// the current block's kernels are (<see cref="MarkRead"/>): filled on the calling thread, the first H200 run
/// measured it serialized with the GPU's work (four streamed 720p layers 5.1 s, resident 2.6 s).
/// </para>
/// </summary>
internal sealed class BlockStreamer
{
    private readonly IUploadStream _stream;
    private readonly DeviceBuffer[] _slots;
    private readonly StagingBuffer[] _staging;
    private readonly UploadTicket?[] _arrivals = new UploadTicket?[2];  // the upload into slot s (from staging s)
    private readonly ComputeMark?[] _lastRead = new ComputeMark?[2];   // after the last kernel queued that reads slot s
    private readonly (StreamedBlocks Owner, int Block)?[] _holds = new (StreamedBlocks, int)?[2]; // held, or being filled
    private readonly Task<long>?[] _filling = new Task<long>?[2];   // staging s being filled for _holds[s], not yet uploaded
    private int _next;
    private int _attached;

    /// <summary>Allocates two slots of <paramref name="slotBytes"/> on the backend's device and two staging buffers of the same size.</summary>
    /// <exception cref="NotSupportedException">the backend's device has no copy stream (<see cref="IUploadStream"/>).</exception>
    public BlockStreamer(CudaBackend backend, long slotBytes)
    {
        _stream = backend.Device as IUploadStream
            ?? throw new NotSupportedException($"streamed DiT blocks need a device with a copy stream; {backend.Device.Name} has none");
        SlotBytes = slotBytes;
        var slots = new List<DeviceBuffer>();
        var staging = new List<StagingBuffer>();
        try
        {
            for (int s = 0; s < 2; s++)
            {
                slots.Add(backend.Device.Allocate(slotBytes));
                staging.Add(_stream.AllocateStaging(slotBytes));
            }
        }
        catch
        {
            slots.ForEach(b => b.Dispose());
            staging.ForEach(b => b.Dispose());
            throw;
        }
        _slots = [.. slots];
        _staging = [.. staging];
    }

    /// <summary>Bytes of each slot (and of each staging buffer).</summary>
    public long SlotBytes { get; }

    /// <summary>Block uploads queued so far.</summary>
    public long Uploads { get; private set; }

    /// <summary>Bytes those uploads copied.</summary>
    public long UploadedBytes { get; private set; }

    /// <summary>Slot <paramref name="slot"/> (0 or 1), which block views address.</summary>
    public DeviceBuffer Slot(int slot) => _slots[slot];

    /// <summary>An expert's blocks of up to <paramref name="blockBytes"/> bytes start using the slots.</summary>
    /// <exception cref="InvalidOperationException">the slots are smaller.</exception>
    public void Attach(long blockBytes)
    {
        if (blockBytes > SlotBytes)
        {
            throw new InvalidOperationException($"a streamed DiT block of {blockBytes} bytes does not fit the shared block slots of {SlotBytes} bytes (the experts' blocks differ in size)");
        }
        _attached++;
    }

    /// <summary>An expert stops using the slots; after the last one every upload is waited for and the memory freed.</summary>
    public void Detach()
    {
        if (--_attached > 0)
        {
            return;
        }
        for (int s = 0; s < 2; s++)
        {
            AwaitQuietly(_filling[s]); // a worker still writing staging s
            _filling[s] = null;
            if (_arrivals[s] is { } ticket)
            {
                _stream.WaitOnHost(ticket); // the copy reads staging and writes the slot: both must outlive it
                ticket.Dispose();
            }
            _lastRead[s]?.Dispose();
            _slots[s].Dispose();
            _staging[s].Dispose();
        }
    }

    /// <summary>
    /// Block <paramref name="block"/> of <paramref name="owner"/> ready for kernels queued from now on, with
    /// <paramref name="prefetch"/> (when given) queued into the other slot. Dispose the lease after the block's
    /// kernels are queued: it marks the slot read up to there.
    /// </summary>
    public BlockLease Enter(StreamedBlocks owner, int block, (StreamedBlocks Owner, int Block)? prefetch)
    {
        int slot = Array.FindIndex(_holds, h => h == (owner, block));
        if (slot < 0)
        {
            slot = _next;
            BeginFill(slot, owner, block);
        }
        FinishFill(slot);
        _next = 1 - slot; // never refill the slot this block reads
        if (prefetch is { } next && !_holds.Contains(next))
        {
            BeginFill(_next, next.Owner, next.Block);
        }
        _stream.WaitOnCompute(_arrivals[slot]!);
        return new BlockLease(owner.View(slot, block), this, slot);
    }

    /// <summary>
    /// Kernels reading <paramref name="slot"/> are queued up to here: a later upload into it waits for them. The other
    /// slot's prefetched block, once filled, is queued now, so it copies while these kernels run.
    /// </summary>
    internal void MarkRead(int slot)
    {
        _lastRead[slot]?.Dispose();
        _lastRead[slot] = _stream.MarkCompute();
        FinishFill(1 - slot);
    }

    /// <summary>Starts filling staging <paramref name="slot"/> with the block on a worker thread, once its previous upload has read it.</summary>
    private void BeginFill(int slot, StreamedBlocks owner, int block)
    {
        AwaitQuietly(_filling[slot]); // a prefetch guessed wrong: its bytes are never uploaded
        _filling[slot] = null;
        if (_arrivals[slot] is { } previous)
        {
            _stream.WaitOnHost(previous); // staging[slot] is read by that upload until it completes
            previous.Dispose();
            _arrivals[slot] = null;
        }
        _holds[slot] = (owner, block);
        var staging = _staging[slot];
        _filling[slot] = Task.Run(() => owner.Fill(block, staging.Span));
    }

    /// <summary>Queues the upload of staging <paramref name="slot"/> once its fill is done (nothing when none is pending).</summary>
    private void FinishFill(int slot)
    {
        if (_filling[slot] is not { } fill)
        {
            return;
        }
        _filling[slot] = null;
        long bytes;
        try
        {
            bytes = fill.GetAwaiter().GetResult();
        }
        catch
        {
            _holds[slot] = null;
            throw;
        }
        _arrivals[slot] = _stream.Upload(_staging[slot], 0, _slots[slot], 0, bytes, _lastRead[slot]);
        Uploads++;
        UploadedBytes += bytes;
    }

    /// <summary>Waits for a fill whose result is no longer wanted (its failure included: nothing will read its bytes).</summary>
    private static void AwaitQuietly(Task<long>? fill) =>
        fill?.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Wait();
}
