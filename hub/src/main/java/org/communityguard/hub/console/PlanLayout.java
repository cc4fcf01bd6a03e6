package org.communityguard.hub.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where things go on a community's site plan (coordinates 0..100, x to the right, y down). A
 * position from the site file is kept; the rest is laid out: buildings without one on a grid of
 * equal cells in site-file order, a building's devices without one on a ring around it, and
 * devices with no building in a row along the bottom edge.
 */
public final class PlanLayout {

    /** Something to place: its own position, when the site file gave one. */
    public record Item(String id, Double x, Double y) {
        boolean placed() {
            return x != null && y != null;
        }
    }

    /** A device to place, with its building (null when outside any). */
    public record DeviceItem(String id, String building, Double x, Double y) {
        boolean placed() {
            return x != null && y != null;
        }
    }

    /** A position and whether the site file gave it ({@code site_file}) or the layout did ({@code auto}). */
    public record Position(double x, double y, String source) {
    }

    public record Plan(Map<String, Position> buildings, Map<String, Position> devices) {
    }

    static final double MARGIN = 4;
    static final double BOTTOM_ROW_Y = 96;

    private PlanLayout() {
    }

    public static Plan layout(List<Item> buildings, List<DeviceItem> devices) {
        Map<String, Position> buildingAt = new LinkedHashMap<>();
        List<Item> unplaced = new ArrayList<>();
        for (Item b : buildings) {
            if (b.placed()) {
                buildingAt.put(b.id(), new Position(clamp(b.x()), clamp(b.y()), "site_file"));
            } else {
                unplaced.add(b);
            }
        }
        int cols = (int) Math.ceil(Math.sqrt(unplaced.size()));
        int rows = cols == 0 ? 0 : (int) Math.ceil(unplaced.size() / (double) cols);
        // The grid leaves the bottom strip free for devices outside buildings.
        double cellW = cols == 0 ? 0 : 100.0 / cols;
        double cellH = rows == 0 ? 0 : (BOTTOM_ROW_Y - MARGIN) / rows;
        for (int i = 0; i < unplaced.size(); i++) {
            int col = i % cols;
            int row = i / cols;
            buildingAt.put(unplaced.get(i).id(),
                    new Position(round(cellW * (col + 0.5)), round(cellH * (row + 0.5)), "auto"));
        }
        double ring = ringRadius(cols, rows, cellW, cellH);

        Map<String, List<DeviceItem>> around = new LinkedHashMap<>();
        List<DeviceItem> outside = new ArrayList<>();
        Map<String, Position> deviceAt = new HashMap<>();
        for (DeviceItem d : devices) {
            if (d.placed()) {
                deviceAt.put(d.id(), new Position(clamp(d.x()), clamp(d.y()), "site_file"));
            } else if (d.building() != null && buildingAt.containsKey(d.building())) {
                around.computeIfAbsent(d.building(), k -> new ArrayList<>()).add(d);
            } else {
                outside.add(d);
            }
        }
        around.forEach((building, list) -> {
            Position centre = buildingAt.get(building);
            for (int k = 0; k < list.size(); k++) {
                // Start at the top and go clockwise, so the first device is above its building.
                double angle = -Math.PI / 2 + 2 * Math.PI * k / list.size();
                deviceAt.put(list.get(k).id(), new Position(clamp(round(centre.x() + ring * Math.cos(angle))),
                        clamp(round(centre.y() + ring * Math.sin(angle))), "auto"));
            }
        });
        for (int k = 0; k < outside.size(); k++) {
            double x = MARGIN + (100 - 2 * MARGIN) * (k + 0.5) / outside.size();
            deviceAt.put(outside.get(k).id(), new Position(round(x), BOTTOM_ROW_Y, "auto"));
        }
        Map<String, Position> orderedDevices = new LinkedHashMap<>();
        for (DeviceItem d : devices) {
            orderedDevices.put(d.id(), deviceAt.get(d.id()));
        }
        return new Plan(buildingAt, orderedDevices);
    }

    // Devices sit on a ring that stays inside the building's cell (and is not absurdly large for one building).
    private static double ringRadius(int cols, int rows, double cellW, double cellH) {
        if (cols == 0) {
            return 10;
        }
        return Math.min(14, 0.38 * Math.min(cellW, cellH));
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(100, v));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
