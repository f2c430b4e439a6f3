namespace Wan.Cli;

/// <summary>
/// Wall time and steps per DiT expert, summed from the per-step progress reports of a generation
/// (<c>GenerationProgress.StageElapsed</c> of each finished step), in the order the experts first ran.
/// </summary>
internal sealed class ExpertStageTimes
{
    private readonly List<(string Expert, TimeSpan Time, int Steps)> _stages = [];

    /// <summary>Each expert that ran, its summed step time and its step count.</summary>
    public IReadOnlyList<(string Expert, TimeSpan Time, int Steps)> Stages => _stages;

    /// <summary>Adds one finished step of <paramref name="expert"/> that took <paramref name="time"/>.</summary>
    public void Add(string expert, TimeSpan time)
    {
        int i = _stages.FindIndex(s => s.Expert == expert);
        if (i < 0)
        {
            _stages.Add((expert, time, 1));
        }
        else
        {
            _stages[i] = (expert, _stages[i].Time + time, _stages[i].Steps + 1);
        }
    }
}
