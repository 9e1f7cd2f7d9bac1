"""Reports officers file: the dispatch table (000 annex), the Jiaxing progress table (003
annex) and duty lists (002 §2 §4 §5), with xlsx and CSV export."""
