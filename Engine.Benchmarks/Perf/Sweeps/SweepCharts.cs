using System.Globalization;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Engine.Benchmarks.Perf.Sweeps;

/// <summary>
/// The sweep's charts as SVG, drawn with OxyPlot (its managed SVG exporter: no native library, no fonts to install):
/// a time against the swept setting per program, and a timeline of one run's tier events.
/// </summary>
public static class SweepCharts
{
    // OxyPlot's SVG text measurer knows Arial's (Helvetica's) metrics, which viewers honour with Arial or a
    // metric-compatible substitute (Liberation Sans), so labels fit.
    private const string Font = "Arial";

    /// <summary>One colour per tier, so timelines of different runs read alike.</summary>
    private static OxyColor TierColor(string tier) => tier switch
    {
        Runtime.Diagnostics.TierNames.Interpreter => OxyColor.FromRgb(0x1f, 0x77, 0xb4),
        Runtime.Diagnostics.TierNames.Baseline => OxyColor.FromRgb(0xff, 0x7f, 0x0e),
        Runtime.Diagnostics.TierNames.Optimizing => OxyColor.FromRgb(0x2c, 0xa0, 0x2c),
        _ => OxyColor.FromRgb(0x94, 0x67, 0xbd),
    };
    private const int Width = 900;

    /// <summary>Median total time (or another time of the summary) against the setting's values, one line per program.</summary>
    public static PlotModel TimeAgainstSetting(SweepResult result, Func<SweepSummary, double> time, string what)
    {
        var model = NewModel($"{what} against {result.Setting}",
            $"median of {result.Summary.Select(s => s.Runs).DefaultIfEmpty(0).Max()} runs, {result.Calls} calls of run(n) each, {result.Size} size");
        model.Axes.Add(SettingAxis(result.Setting, result.Values));
        double[] all = result.Summary.Select(time).Where(t => t > 0).DefaultIfEmpty(1).ToArray();
        model.Axes.Add(TimeAxis(AxisPosition.Left, $"{what} (ms)", spansDecades: all.Max() / all.Min() > 30));
        foreach (IGrouping<string, SweepSummary> program in result.Summary.GroupBy(s => s.Program))
        {
            var series = new LineSeries { Title = LegendTitle(program.Key), MarkerType = MarkerType.Circle, MarkerSize = 4 };
            foreach (SweepSummary summary in program)
            {
                series.Points.Add(new DataPoint(Position(result.Values, summary.Value), time(summary)));
            }
            model.Series.Add(series);
        }
        return model;
    }

    /// <summary>
    /// One run on a time line: a row per function, a bar per translation or compilation (from its start to its end,
    /// with a marker at the start so the shortest stay visible), a triangle per promotion, a line per call's end.
    /// </summary>
    public static PlotModel Timeline(SweepResult result, SweepRun run)
    {
        var model = NewModel($"{run.Program}, {result.Setting}={run.Value}: tier events of run {run.Run}",
            $"total {run.TotalMs:F2} ms, first result {run.FirstResultMs:F2} ms; compile time by tier: " +
            string.Join(", ", run.CompileMsByTier.Select(c => $"{c.Key} {c.Value:F3} ms")) +
            "\n\u25c6 bar: a function's translation or compilation in a tier (start to end); \u25b2 its promotion to a tier");
        var functions = run.Timeline.Select(e => (e.FunctionIndex, e.FunctionName)).Distinct().ToList();
        model.Axes.Add(new CategoryAxis
        {
            Position = AxisPosition.Left,
            Title = "function",
            ItemsSource = functions.Select(f => f.FunctionName == $"func[{f.FunctionIndex}]" ? f.FunctionName : $"{f.FunctionName} [{f.FunctionIndex}]").ToArray(),
            IsZoomEnabled = false,
            GapWidth = 0.3,
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "time since the module's bytes were handed over (ms)",
            AxisTitleDistance = 8,
            Minimum = 0,
            Maximum = run.TotalMs * 1.02,
            MajorGridlineStyle = LineStyle.Dot,
        });
        int Row(TierEvent e) => functions.IndexOf((e.FunctionIndex, e.FunctionName));
        foreach (IGrouping<string, TierEvent> tier in run.Timeline.Where(e => e.Kind != TierEvent.Promote).GroupBy(e => e.Tier))
        {
            OxyColor color = TierColor(tier.Key);
            var bars = new IntervalBarSeries { LabelFormatString = null, FillColor = color, StrokeThickness = 0, RenderInLegend = false };
            var starts = Markers(tier.Key, MarkerType.Diamond, 4, color);
            foreach (TierEvent e in tier)
            {
                bars.Items.Add(new IntervalBarItem(e.StartMs, e.EndMs) { CategoryIndex = Row(e) });
                starts.Points.Add(new DataPoint(e.StartMs, Row(e)));
            }
            model.Series.Add(bars);
            model.Series.Add(starts);
        }
        foreach (IGrouping<string, TierEvent> tier in run.Timeline.Where(e => e.Kind == TierEvent.Promote).GroupBy(e => e.Tier))
        {
            LineSeries promotions = Markers($"to {tier.Key}", MarkerType.Triangle, 6, TierColor(tier.Key));
            promotions.Points.AddRange(tier.Select(e => new DataPoint(e.StartMs, Row(e))));
            model.Series.Add(promotions);
        }
        AddCallEnds(model, run);
        return model;
    }

    /// <summary>Unconnected markers (a line series without its line: its legend entry is laid out better than a scatter series').</summary>
    private static LineSeries Markers(string title, MarkerType shape, double size, OxyColor color) => new()
    {
        Title = LegendTitle(title),
        LineStyle = LineStyle.None,
        Color = color,
        MarkerType = shape,
        MarkerSize = size,
        MarkerFill = color,
    };

    /// <summary>
    /// A legend entry's text, padded with no-break spaces: OxyPlot's SVG exporter measures text narrower than viewers
    /// draw it and clips the legend to what it measured.
    /// </summary>
    private static string LegendTitle(string title) => title + new string('\u00a0', title.Length / 3 + 2);

    private static void AddCallEnds(PlotModel model, SweepRun run)
    {
        double end = run.LoadMs + run.InstantiateMs;
        for (int i = 0; i < run.CallMs.Count; i++)
        {
            end = i == 0 ? run.FirstResultMs : end + run.CallMs[i];
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical,
                X = end,
                Color = i == 0 ? OxyColors.Firebrick : OxyColors.Gray,
                LineStyle = i == 0 ? LineStyle.Solid : LineStyle.Dash,
                Text = i == 0 ? "first result" : $"call {i + 1}",
                TextColor = i == 0 ? OxyColors.Firebrick : OxyColors.Gray,
                FontSize = 10,
            });
        }
    }

    /// <summary>Writes <paramref name="model"/> as an SVG file of a height that fits it.</summary>
    public static void SaveSvg(PlotModel model, string path, int height = 520)
    {
        using FileStream stream = File.Create(path);
        // The workaround positions text without dominant-baseline, which some SVG renderers ignore.
        new SvgExporter { Width = Width, Height = height, UseVerticalTextAlignmentWorkaround = true }.Export(model, stream);
    }

    /// <summary>A height for a timeline of <paramref name="rows"/> functions.</summary>
    public static int TimelineHeight(int rows) => Math.Clamp(180 + 22 * rows, 300, 2400);

    private static PlotModel NewModel(string title, string subtitle)
    {
        var model = new PlotModel
        {
            Title = title,
            Subtitle = subtitle,
            DefaultFont = Font,
            TitleFontSize = 15,
            SubtitleFontSize = 11,
            Background = OxyColors.White,
            Padding = new OxyThickness(8, 12, 16, 8),
            TitlePadding = 10,
        };
        // Tableau's ten colours: distinct, and none too pale on white.
        model.DefaultColors = new[] { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf }
            .Select(rgb => OxyColor.FromRgb((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb)).ToList();
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendItemSpacing = 16,
        });
        return model;
    }

    private static Axis TimeAxis(AxisPosition position, string title, bool spansDecades) => spansDecades
        ? new LogarithmicAxis { Position = position, Title = title, MajorGridlineStyle = LineStyle.Dot, MinorGridlineStyle = LineStyle.None }
        : new LinearAxis { Position = position, Title = title, Minimum = 0, MajorGridlineStyle = LineStyle.Dot };

    /// <summary>
    /// The x axis: numbers on a linear or (when they span decades) logarithmic scale; anything else as evenly spaced labels.
    /// </summary>
    private static Axis SettingAxis(string setting, IReadOnlyList<string> values)
    {
        double[]? numbers = AsNumbers(values);
        if (numbers is { Length: > 1 } && numbers.Min() > 0 && numbers.Max() / numbers.Min() >= 100)
        {
            return new LogarithmicAxis
            {
                Position = AxisPosition.Bottom, Title = setting, MajorGridlineStyle = LineStyle.Dot, StringFormat = "#,0", IntervalLength = 90,
            };
        }
        if (numbers != null)
        {
            return new LinearAxis { Position = AxisPosition.Bottom, Title = setting, MajorGridlineStyle = LineStyle.Dot };
        }
        return new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = setting,
            Minimum = -0.5,
            Maximum = values.Count - 0.5,
            MajorStep = 1,
            MinorStep = 1,
            LabelFormatter = x => Math.Abs(x - Math.Round(x)) < 1e-9 && x >= 0 && x < values.Count ? values[(int)Math.Round(x)] : "",
        };
    }

    /// <summary>Where a value sits on the x axis: the number itself, or its index among non-numeric values.</summary>
    private static double Position(IReadOnlyList<string> values, string value) =>
        AsNumbers(values) is not null ? double.Parse(value, CultureInfo.InvariantCulture) : values.ToList().IndexOf(value);

    private static double[]? AsNumbers(IReadOnlyList<string> values)
    {
        var numbers = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }
        return numbers;
    }
}
