using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Wan.Runtime.Lora;
using Wan.Runtime.Styles;
using Wan.Server.Caching;
using Wan.Server.Jobs;

namespace Wan.Server.Styles;

/// <summary>
/// The styles and LoRAs a server's requests may name: the style library of <see cref="ServerOptions.StylesDirectory"/>
/// (watched: an edited manifest or LoRA file is picked up without a restart) and the LoRA folder of
/// <see cref="ServerOptions.LoraDirectory"/>. Either may be absent; a request naming what is not configured is refused.
/// </summary>
public sealed class ServerStyles : IDisposable
{
    private readonly StyleLibrary? _library;
    private readonly LoraFolder? _loras;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _preflighted = new(StringComparer.Ordinal);
    private const int PreflightMemory = 256;

    /// <summary>Opens the configured folders.</summary>
    /// <param name="stylesDirectory">the styles folder, or null for none.</param>
    /// <param name="loraDirectory">the LoRA folder, or null for none.</param>
    /// <param name="hashes">the file hashes shared with the result cache.</param>
    /// <exception cref="DirectoryNotFoundException">a configured folder does not exist.</exception>
    public ServerStyles(string? stylesDirectory, string? loraDirectory, FileHashes hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        Hashes = hashes;
        _library = string.IsNullOrEmpty(stylesDirectory) ? null : StyleLibrary.Open(stylesDirectory, new LoraFileValidator(), watch: true);
        _loras = string.IsNullOrEmpty(loraDirectory) ? null : new LoraFolder(loraDirectory);
    }

    /// <summary>The file hashes LoRA identities come from.</summary>
    public FileHashes Hashes { get; }

    /// <summary>The visible styles, by name (none without a styles folder).</summary>
    public IReadOnlyDictionary<string, Style> All => _library?.Styles ?? new Dictionary<string, Style>();

    /// <summary>The style called <paramref name="name"/>.</summary>
    /// <exception cref="StyleException">no styles folder, an unknown name, or a style whose manifest is invalid (the message names the style, not the server's paths).</exception>
    public Style Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_library is null)
        {
            throw new StyleException($"style '{name}': this server has no style library");
        }
        if (_library.Styles.TryGetValue(name, out var style))
        {
            return style;
        }
        var why = _library.Problems.ContainsKey(name) ? "its manifest is invalid (see the server's log)" : "no such style";
        throw new StyleException($"style '{name}': {why} (styles: {(_library.Styles.Count == 0 ? "none" : string.Join(", ", _library.Styles.Keys.Order(StringComparer.Ordinal)))})");
    }

    /// <summary>The LoRA <paramref name="name"/> of the LoRA folder (<see cref="LoraFolder.Resolve"/>).</summary>
    /// <exception cref="LoraFormatException">no LoRA folder, or the name, strength or target is refused.</exception>
    public LoraSpec ResolveLora(string name, float strength, string target) =>
        (_loras ?? throw new LoraFormatException($"lora '{name}': this server has no LoRA folder")).Resolve(name, strength, target);

    /// <summary>
    /// The style's version: the first 16 hex digits of SHA-256 over its manifest's bytes and its LoRA files' hashes, so
    /// editing either gives a new version (and a new result-cache key).
    /// </summary>
    /// <exception cref="IOException">the manifest or a LoRA file cannot be read.</exception>
    public string VersionOf(Style style)
    {
        ArgumentNullException.ThrowIfNull(style);
        var text = new StringBuilder(Hashes.Of(style.ManifestPath));
        foreach (var lora in style.Loras)
        {
            text.Append(CultureInfo.InvariantCulture, $"|{Hashes.Of(lora.Path)}");
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>The spec form of an engine LoRA, its file hashed now.</summary>
    /// <exception cref="IOException">the file cannot be read.</exception>
    public VideoLora Describe(LoraSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new VideoLora(Path.GetFileName(spec.Path), spec.Path, Hashes.Of(spec.Path), spec.Strength, spec.Target.ToString().ToLowerInvariant());
    }

    /// <summary>
    /// <see cref="LoraPreflight.Check"/> of <paramref name="set"/> against the model, once per set identity
    /// (<see cref="LoraSet.Key"/>: files with their size and last-write time), so a LoRA's tensors are not re-read per request.
    /// </summary>
    /// <exception cref="LoraFormatException">a file cannot be applied to the model.</exception>
    public void Preflight(LoraSet set, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (_preflighted.ContainsKey(set.Key))
        {
            return;
        }
        try
        {
            LoraPreflight.Check(set, modelDirectory);
        }
        catch (LoraFormatException e)
        {
            // The library names files by full path; a client sees file names only.
            var message = set.Specs.Select(spec => Path.GetDirectoryName(spec.Path) + Path.DirectorySeparatorChar).Distinct()
                .Aggregate(e.Message, (text, folder) => text.Replace(folder, "", StringComparison.Ordinal));
            throw new LoraFormatException(message, e);
        }
        if (_preflighted.Count >= PreflightMemory)
        {
            _preflighted.Clear();
        }
        _preflighted[set.Key] = true;
    }

    /// <summary>Stops watching the styles folder.</summary>
    public void Dispose() => _library?.Dispose();
}
