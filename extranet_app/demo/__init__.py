"""Demo data: a realistic, deterministic French agency for trying the extranet."""

from extranet_app.demo.builder import DemoSummary, build_demo_data, summarize

__all__ = ["DemoSummary", "build_demo_data", "summarize"]
