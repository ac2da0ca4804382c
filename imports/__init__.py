"""CSV imports: upload, a dry-run preview, then a Celery job writing through each app's own
importer (registered with prm.imports)."""
