"""Attachments of a petition: photos, audio and video, kept with GridFS in intake's own database.

- ``kinds``: what a file is, judged from its bytes alone (never from the client's Content-Type or
  file name), and how large each kind may be. Pure Python.
- ``store``: the GridFS bucket ``attachments`` (``attachments.files`` + ``attachments.chunks``).
- ``api``: upload, list and download under ``/api/v1/petitions/<petition_id>/attachments``.
"""
