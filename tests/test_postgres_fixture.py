"""The throwaway PostgreSQL server the store's tests run against (tests/postgres.py)."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgres import Cluster


def test_each_test_gets_an_empty_database_of_its_own(
    postgres_cluster: Cluster, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as db:
        db.execute("CREATE TABLE marker (n integer)")
        (tables,) = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone() or (0,)
    assert tables == 1
    other = postgres_cluster.create_database()
    try:
        with psycopg.connect(other) as db:
            row = db.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        assert row == (0,)
    finally:
        postgres_cluster.drop_database(other)


def test_the_server_checks_passwords_over_tcp(postgres_cluster: Cluster) -> None:
    with psycopg.connect(postgres_cluster.tcp_url()) as db:
        assert db.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres_cluster.tcp_url(password="wrong"))
