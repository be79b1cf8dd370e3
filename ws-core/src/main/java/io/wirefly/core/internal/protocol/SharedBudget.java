package io.wirefly.core.internal.protocol;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The bounded {@link InboundBudget}: one count of bytes for all connections, and the accounts of those that hold a
 * part of a message, oldest first. When a reservation does not fit, the oldest holders whose message started at
 * least {@link #evictAfterNanos} ago lose theirs (their {@code evicted} callback runs) until it does, provided that
 * taking back all of those would make room and that the account asking would hold no more than a quarter of the
 * budget; otherwise nothing is taken back and the reservation is refused. A holder whose reservation was taken back
 * gets no more: its connection is about to be failed.
 *
 * <p>Every change is made under this object's lock. Reservations are made per array that an assembled message
 * grows into and per decompressor, not per frame, so the lock is taken a few times per large message.
 *
 * <pre>{@code
 * InboundBudget budget = InboundBudget.bounded(16 << 20);
 * InboundBudget account = budget.account(() -> loop.execute(() -> fail(CloseCode.TRY_AGAIN_LATER)));
 * }</pre>
 */
final class SharedBudget implements InboundBudget {
    /** How old a message in progress must be before its reservation can be taken back for a newer one. */
    static final long EVICT_AFTER_MILLIS = 1_000;
    /** A connection takes others' room back only while it holds at most this fraction (1 / n) of the budget. */
    static final int EVICTING_SHARE = 4;

    private final long limit;
    private final long evictAfterNanos;
    private final LongSupplier clock;
    private long used;
    /** Accounts that hold bytes, in the order they started holding them. */
    private final LinkedHashSet<Account> holders = new LinkedHashSet<>();

    /**
     * @param limit the most bytes reserved at once
     * @param evictAfterNanos how old a holder's reservation must be before it can be taken back
     * @param clock the time, in nanoseconds
     */
    SharedBudget(long limit, long evictAfterNanos, LongSupplier clock) {
        if (limit <= 0) {
            throw new IllegalArgumentException("budget limit must be > 0, was " + limit);
        }
        this.limit = limit;
        this.evictAfterNanos = evictAfterNanos;
        this.clock = clock;
    }

    @Override
    public synchronized boolean reserve(long bytes) {
        if (used + bytes > limit) {
            return false;
        }
        used += bytes;
        return true;
    }

    @Override
    public synchronized void release(long bytes) {
        used -= bytes;
    }

    @Override
    public synchronized void hold(long bytes) {
        used += bytes;
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public InboundBudget account(Runnable evicted) {
        return new Account(evicted);
    }

    @Override
    public synchronized String toString() {
        return "InboundBudget[" + used + "/" + limit + ", " + holders.size() + " holding]";
    }

    /**
     * Reserves for {@code account}, taking back older holders' reservations if that is the only way; if even that
     * would not make room, nothing is taken back and the bytes are refused.
     *
     * @return the callbacks of the holders evicted (to run outside the lock), or null if the bytes were refused
     */
    private synchronized List<Runnable> reserveFor(Account account, long bytes) {
        if (account.revoked) {
            return null;
        }
        if (bytes <= 0) {
            return List.of();
        }
        List<Runnable> evicted = List.of();
        if (used + bytes > limit) {
            if (account.held + bytes > limit / EVICTING_SHARE) {
                return null;   // one connection may not clear the budget for itself
            }
            long now = clock.getAsLong();
            long old = 0;
            for (Account holder : holders) {
                if (now - holder.since < evictAfterNanos) {
                    break;   // in the order they started holding: the rest are younger still
                }
                old += holder == account ? 0 : holder.held;
            }
            if (used - old + bytes > limit) {
                return null;
            }
            evicted = new ArrayList<>();
            for (Iterator<Account> it = holders.iterator(); used + bytes > limit; ) {
                Account oldest = it.next();
                if (oldest == account) {
                    continue;
                }
                it.remove();
                used -= oldest.held;
                oldest.held = 0;
                oldest.revoked = true;
                evicted.add(oldest.evicted);
            }
        }
        used += bytes;
        if (account.held == 0) {
            account.since = clock.getAsLong();
            holders.add(account);
        }
        account.held += bytes;
        return evicted;
    }

    private synchronized void releaseFor(Account account, long bytes) {
        if (account.revoked) {
            return;   // already taken back, all of it
        }
        account.held -= bytes;
        used -= bytes;
        if (account.held == 0) {
            holders.remove(account);
        }
    }

    /** One connection's reservations; its fields are guarded by the budget's lock. */
    private final class Account implements InboundBudget {
        private final Runnable evicted;
        private long held;
        /** When {@link #held} last went from 0 to more. */
        private long since;
        private boolean revoked;

        Account(Runnable evicted) {
            this.evicted = evicted;
        }

        @Override
        public boolean reserve(long bytes) {
            List<Runnable> evicted = reserveFor(this, bytes);
            if (evicted == null) {
                return false;
            }
            if (!evicted.isEmpty()) {   // (no iterator made in the common case)
                for (Runnable r : evicted) {
                    r.run();
                }
            }
            return true;
        }

        @Override
        public void release(long bytes) {
            releaseFor(this, bytes);
        }

        /** Held bytes are the shared budget's, never this account's: they cannot be taken back. */
        @Override
        public void hold(long bytes) {
            SharedBudget.this.hold(bytes);
        }

        @Override
        public long limit() {
            return limit;
        }

        @Override
        public InboundBudget lasting() {
            return SharedBudget.this;
        }

        @Override
        public String toString() {
            synchronized (SharedBudget.this) {
                return "InboundBudget.Account[" + held + (revoked ? ", taken back" : "") + " of " + SharedBudget.this
                        + "]";
            }
        }
    }
}
