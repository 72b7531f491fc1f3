package dev.changesetsyncer.freshness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's plot: staleness p95 against billable calls per changeset per day, one point per strategy, with
 * or without conditional requests, and webhook share (labelled). Drawn without a display.
 */
public final class FreshnessPlot {
    private static final List<Color> COLOURS = List.of(new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
            new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0x17BECF));

    private FreshnessPlot() {}

    public static void write(Simulation.Results results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        Map<String, List<Double>> shares = new LinkedHashMap<>();
        for (Figures f : Figures.forAll(results)) {
            boolean webhooksChangeNothing = f.strategy().equals(Strategy.EveryTwoMinutes.NAME);
            if (webhooksChangeNothing && f.webhookShare() != results.plan().webhookShares().getFirst()) {
                continue;
            }
            String key = f.strategy() + (f.conditionalRequests() ? ", conditional requests" : ", no conditional requests");
            XYSeries series = data.getSeriesIndex(key) >= 0 ? data.getSeries(key) : null;
            if (series == null) {
                series = new XYSeries(key, false, true);
                data.addSeries(series);
                shares.put(key, new ArrayList<>());
            }
            series.add(Math.max(f.billablePerChangesetDay(), 1e-3), Math.max(f.staleness().p95(), 1) / 60);
            shares.get(key).add(webhooksChangeNothing ? Double.NaN : f.webhookShare());
        }

        LogAxis calls = new LogAxis("billable API calls per changeset per day (log)");
        calls.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        calls.setTickUnit(new NumberTickUnit(1));
        calls.setMinorTickCount(9);
        LogAxis staleness = new LogAxis("staleness p95, minutes (log)");
        staleness.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        staleness.setTickUnit(new NumberTickUnit(1));
        staleness.setMinorTickCount(9);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        List<String> keys = List.copyOf(shares.keySet());
        Map<String, Integer> colourOfStrategy = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String strategy = keys.get(i).substring(0, keys.get(i).indexOf(','));
            int colour = colourOfStrategy.computeIfAbsent(strategy, s -> colourOfStrategy.size() % COLOURS.size());
            boolean conditional = keys.get(i).endsWith(", conditional requests");
            renderer.setSeriesPaint(i, COLOURS.get(colour));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
            renderer.setSeriesShapesFilled(i, conditional);
            renderer.setSeriesStroke(i, conditional ? new BasicStroke(1.5f)
                    : new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        }
        renderer.setDefaultItemLabelGenerator((dataset, series, item) -> {
            double share = shares.get(keys.get(series)).get(item);
            return Double.isNaN(share) ? "any" : String.format(Locale.ROOT, "%.0f%%", share * 100);
        });
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));

        XYPlot plot = new XYPlot(data, calls, staleness, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        SimulationPlan plan = results.plan();
        JFreeChart chart = new JFreeChart("Freshness per API call", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
                "%,d changesets, %d days, seed %d; labels: share of changes that also arrive as webhooks",
                plan.changesets(), plan.days(), plan.seed())));
        chart.setBackgroundPaint(Color.WHITE);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1100, 700);
    }
}
