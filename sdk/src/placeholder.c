int sl_placeholder_(void); int sl_placeholder_(void) { return 0; }
