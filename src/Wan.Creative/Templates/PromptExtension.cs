using System.Net.Http.Json;
using System.Text.Json;

namespace Wan.Creative.Templates;

/// <summary>The outcome of <see cref="PromptExtension.Extend"/>.</summary>
/// <param name="Prompt">The extended prompt, or the original one when the service failed.</param>
/// <param name="Warning">Why the original prompt was kept (one line), or null when the service answered.</param>
public sealed record PromptExtensionResult(string Prompt, string? Warning);

/// <summary>
/// The optional hook to an external prompt-extension service (off unless a URL is configured). It POSTs
/// <c>{"prompt": "...", "language": "en"|"zh"}</c> as JSON and expects <c>{"prompt": "..."}</c> back. It never fails
/// a generation: a refused connection, a timeout, a non-2xx status or an answer without a non-empty "prompt" gives the
/// original prompt and a warning naming the URL and the problem.
/// </summary>
public sealed class PromptExtension : IDisposable
{
    /// <summary>How long the service may take when no timeout is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http;

    /// <summary>A hook calling <paramref name="url"/> (http or https).</summary>
    /// <param name="url">The service's endpoint.</param>
    /// <param name="timeout">The longest wait for an answer (default <see cref="DefaultTimeout"/>).</param>
    /// <exception cref="Wan.Errors.RequestException">The URL is not absolute http(s), or the timeout is not positive.</exception>
    public PromptExtension(Uri url, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            throw new Wan.Errors.RequestException("prompt-extension-url", url, "must be an absolute http:// or https:// URL");
        }
        var wait = timeout ?? DefaultTimeout;
        if (wait <= TimeSpan.Zero)
        {
            throw new Wan.Errors.RequestException("prompt-extension-timeout", wait, "must be positive");
        }
        Url = url;
        _http = new HttpClient { Timeout = wait };
    }

    /// <summary>The service's endpoint.</summary>
    public Uri Url { get; }

    /// <summary>The service's extension of <paramref name="prompt"/>, or the prompt itself and a warning.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (the caller's cancellation, not a timeout).</exception>
    public async Task<PromptExtensionResult> Extend(string prompt, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var language = PromptLanguages.Detect(prompt) == PromptLanguage.Chinese ? "zh" : "en";
        PromptExtensionResult Keep(string problem) => new(prompt, $"prompt extension {Url}: {problem}; using the prompt as given");
        try
        {
            using var response = await _http.PostAsJsonAsync(Url, new { prompt, language }, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Keep($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("prompt", out var p)
                || p.ValueKind != JsonValueKind.String || p.GetString()!.Trim().Length == 0)
            {
                return Keep("the answer has no non-empty \"prompt\" string");
            }
            return new PromptExtensionResult(p.GetString()!.Trim(), null);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return Keep($"no answer within {_http.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return Keep(e.Message);
        }
        catch (JsonException e)
        {
            return Keep($"the answer is not JSON ({e.Message})");
        }
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => _http.Dispose();
}
