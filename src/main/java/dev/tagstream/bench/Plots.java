package dev.tagstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts of benchmark results, drawn by XChart. Nothing here measures anything. */
final class Plots {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /** One named series of (x, y) points; a series with a single y and {@code flat} is drawn as a level line. */
    record Series(String name, List<double[]> points, boolean dashed) {
        Series(String name) {
            this(name, new ArrayList<>(), false);
        }

        Series add(double x, double y) {
            if (Double.isFinite(x) && Double.isFinite(y)) {
                points.add(new double[] {x, y});
            }
            return this;
        }
    }

    /** A line chart with markers; {@code logX} for batch sizes 1..32. Series without points are left out. */
    static Path lines(Path file, String title, String xTitle, String yTitle, List<Series> series, boolean logX)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setAntiAlias(true);
        for (Series s : series) {
            if (s.points().isEmpty()) {
                continue;
            }
            double[] x = new double[s.points().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.points().get(i)[0];
                y[i] = s.points().get(i)[1];
            }
            XYSeries xy = chart.addSeries(s.name(), x, y);
            xy.setMarker(SeriesMarkers.CIRCLE);
            if (s.dashed()) {
                xy.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT,
                        java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
        }
        return save(chart, file);
    }

    /** Grouped bars: categories along x, one bar per series; NaN values are drawn as 0. */
    static Path bars(Path file, String title, String yTitle, List<String> categories,
            Map<String, double[]> series) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        Map<String, double[]> clean = new LinkedHashMap<>();
        series.forEach((k, v) -> {
            double[] c = v.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] = Double.isFinite(c[i]) ? c[i] : 0;
            }
            clean.put(k, c);
        });
        for (Map.Entry<String, double[]> e : clean.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (double d : e.getValue()) {
                ys.add(d);
            }
            chart.addSeries(e.getKey(), categories, ys);
        }
        return save(chart, file);
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
