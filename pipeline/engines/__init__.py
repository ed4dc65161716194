"""How documents are scheduled: one process with threads (`local`, the default) or a Ray cluster (`ray`).

Engines decide only where and when each document is read; reading one document is
`pipeline.run.DocumentReader.read`, the same whichever engine calls it.
"""
