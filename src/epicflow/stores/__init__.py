"""One store per database engine, chosen once when the `Database` is made
(`stores.choice.open_database`).

`stores.base` says what a store provides; `stores.postgres` and `stores.sqlite` provide it.
A unit of work finds its store with `stores.base.store_of(session)`. This package's own
module imports nothing, so that features can import `stores.base` without the stores.
"""
