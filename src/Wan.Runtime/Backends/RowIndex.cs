namespace Wan.Runtime.Backends;

/// <summary>
/// A routing table: row numbers of a batch [<see cref="SourceRows"/>, …], kept where the backend's
/// kernels read them (device memory on CUDA, an array on the CPU). Made by
/// <see cref="IRoutingOps.UploadRowIndex"/>; used by <see cref="IRoutingOps.GatherRows"/> and
/// <see cref="IRoutingOps.ScatterRowsInPlace"/>. Disposing frees the device copy.
/// </summary>
public abstract class RowIndex : IDisposable
{
    /// <summary>Checks the rows (each in [0, sourceRows)) and keeps a host copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a row lies outside [0, sourceRows).</exception>
    protected RowIndex(IBackend backend, ReadOnlySpan<int> rows, int sourceRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceRows);
        var seen = new HashSet<int>();
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)sourceRows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"routing table: row {row} outside a batch of {sourceRows}");
            }
            seen.Add(row);
        }
        Backend = backend;
        Rows = rows.ToArray();
        SourceRows = sourceRows;
        Distinct = seen.Count == rows.Length;
    }

    /// <summary>The backend whose kernels read this table.</summary>
    public IBackend Backend { get; }

    /// <summary>The row numbers (host copy).</summary>
    public IReadOnlyList<int> Rows { get; }

    /// <summary>Number of rows in the table (the rows of a gathered batch).</summary>
    public int Count => Rows.Count;

    /// <summary>Rows of the batch the numbers refer to.</summary>
    public int SourceRows { get; }

    /// <summary>Whether no row appears twice (a scatter requires it: two writers of one row would race).</summary>
    public bool Distinct { get; }

    /// <summary>Frees the backend's copy.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the backend's copy; called once by <see cref="Dispose()"/>.</summary>
    protected virtual void Dispose(bool disposing) { }
}
