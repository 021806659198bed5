"""The adapters: the event store and read-model database, codecs, sealing, settings, files in and out, bank file formats."""
