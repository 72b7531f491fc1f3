package dev.changesetsyncer.cli;

import dev.changesetsyncer.freshness.Population;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads {@code simulate --population key=value,...}: each key is a {@link Population} component in kebab case
 * ({@code active-share=0.05}, {@code ci-median=6m}); the others keep their defaults.
 */
final class PopulationOption {
    private PopulationOption() {}

    static Population parse(String text) {
        RecordComponent[] components = Population.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].getAccessor().invoke(Population.DEFAULTS);
                types[i] = components[i].getType();
            }
            for (String pair : text.split(",")) {
                String[] parts = pair.split("=", 2);
                int index = parts.length == 2 ? indexOf(components, parts[0].trim()) : -1;
                if (index < 0) {
                    throw new IllegalArgumentException("--population: \"" + pair + "\" is not KEY=VALUE with KEY one of "
                            + String.join(", ", keys(components)));
                }
                values[index] = value(components[index], parts[1].trim());
            }
            Constructor<Population> constructor = Population.class.getDeclaredConstructor(types);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw new IllegalArgumentException("--population: " + invalid.getMessage(), invalid);
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object value(RecordComponent component, String text) {
        try {
            if (component.getType() == double.class) {
                return Double.parseDouble(text);
            }
            if (component.getType() == int.class) {
                return Integer.parseInt(text);
            }
            if (component.getType() == Duration.class) {
                return new DurationConverter().convert(text);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--population: " + key(component) + "=" + text + " is not a "
                    + (component.getType() == Duration.class ? "duration (e.g. 4m, 6h, 14d)" : "number"), e);
        }
        throw new IllegalStateException("no reader for " + component.getType());
    }

    private static int indexOf(RecordComponent[] components, String key) {
        for (int i = 0; i < components.length; i++) {
            if (key(components[i]).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> keys(RecordComponent[] components) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent component : components) {
            keys.add(key(component));
        }
        return keys;
    }

    /** activeShare -> active-share */
    static String key(RecordComponent component) {
        return component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }
}
