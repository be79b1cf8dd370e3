package io.wirefly.hal.pi4j;

import com.pi4j.config.exception.ConfigException;
import com.pi4j.io.exception.IOAlreadyExistsException;
import com.pi4j.platform.exception.PlatformException;
import com.pi4j.provider.exception.ProviderException;
import io.wirefly.hal.HalException;
import java.util.Locale;

/** Maps what Pi4J throws to the one {@link HalException}, with the pin and a kind. */
final class Pi4jErrors {

    private Pi4jErrors() {
    }

    /**
     * The HAL exception for a Pi4J failure.
     *
     * @param pin the pin's name, or "" for the whole HAL
     * @param action what we tried, e.g. "set HIGH"
     * @param e what Pi4J (or its native library) threw
     * @return the exception to throw
     */
    static HalException map(String pin, String action, Throwable e) {
        return new HalException(pin, kind(e), action + " failed: " + describe(e), e);
    }

    static HalException.Kind kind(Throwable e) {
        if (e instanceof HalException h) {
            return h.kind();
        }
        if (e instanceof IOAlreadyExistsException || mentionsBusy(e)) {
            return HalException.Kind.BUSY;
        }
        if (e instanceof ProviderException || e instanceof PlatformException || e instanceof LinkageError) {
            return HalException.Kind.UNAVAILABLE;
        }
        if (e instanceof ConfigException) {
            return HalException.Kind.CONFIG;
        }
        return HalException.Kind.IO;
    }

    // The kernel reports a line held by another process as EBUSY ("Device or resource busy"); Pi4J wraps it.
    private static boolean mentionsBusy(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("busy")) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
