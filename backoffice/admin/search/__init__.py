"""The global search box's endpoint: the top bar of every screen asks it as people type."""
