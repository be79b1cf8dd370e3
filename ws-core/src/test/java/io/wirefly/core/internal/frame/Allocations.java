package io.wirefly.core.internal.frame;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Reads the JVM's count of bytes allocated by the current thread (HotSpot's
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), for tests that bound allocation. The bean is
 * reached reflectively because the module under test does not read {@code jdk.management}; the handle returns a
 * primitive, so reading the counter allocates nothing itself. Shared by the tests of every package of ws-core.
 */
public final class Allocations {
    private static final Object BEAN;
    private static final MethodHandle ALLOCATED;

    static {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            BEAN = factory.getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            ALLOCATED = MethodHandles.publicLookup()
                    .findVirtual(type, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                    .asType(MethodType.methodType(long.class, Object.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // The handle's first few hundred calls make the JVM spin and customise its lambda forms, about 13 KB
        // allocated by whichever thread makes the call that crosses the threshold: do that here, not inside some
        // test's counted window.
        for (int i = 0; i < 2_000; i++) {
            current();
        }
    }

    private Allocations() {
    }

    /** @return the bytes the current thread has allocated since it started */
    public static long current() {
        try {
            return (long) ALLOCATED.invokeExact(BEAN, Thread.currentThread().getId());
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the thread's allocated bytes", e);
        }
    }
}
