"""Developer stack: find or start PostgreSQL and Redis, then run the app or the tests.

Usage: ``python -m backoffice.devstack {run,test,env,smoke}`` (see ``__main__``).
Nothing here imports Flask: the app is started as child processes.
"""
