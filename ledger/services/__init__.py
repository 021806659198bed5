"""The application services: load, do one operation, save. The command line and the console call these."""
