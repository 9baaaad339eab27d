"""The targets the issues set for each figure: (comparison, bound)."""

TARGETS: dict[str, tuple[str, float]] = {
    "book_ops_per_s": (">=", 1_000_000),
    "exchange_orders_per_s": (">=", 200_000),
    "mark_update_us_100k": ("<=", 50),
    "adl_event_ms_100k": ("<=", 50),
    "lights_refresh_ms_100k": ("<=", 50),
    "crash_step_ms_100k": ("<=", 1_000),
    "crash_slice_ms_100k": ("<=", 100),
    "crash_rss_mb_100k": ("<=", 1_000),
    "crash_key_latency_ms_100k": ("<=", 100),
    "sim_steps_per_s": (">=", 3_000),
    "sim_steps_per_s_3k": (">=", 3_000),
    "journal_overhead_pct": ("<=", 10),
    "replay_rows_per_s": (">=", 500_000),
    "ui_frame_ms": ("<=", 10),
    "startup_s": ("<=", 1.0),
    "key_latency_ms": ("<=", 100),
    "soak_rss_mb": ("<=", 300),
    "compare_runs_per_min": (">=", 90),  # 200 seeds × 9 policies on 2 cores in 10 min
}
