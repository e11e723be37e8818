"""Querysets compiled to SQL once per process, run on each request with that request's values.

Building and compiling an ORM queryset costs 0.3–1.5 ms of CPU for the joins, ``Exists()`` and
window counts the portal's pages read, against about 0.1 ms for sending the same statement and
reading its rows [issue 24; docs/decisions/0010-pages-drawn-cheaply.md]. A page drawn on every
request pays that on every request. ``PreparedQuery`` keeps the ORM as the one place a read is
written: the queryset is built by an ordinary function, compiled by Django on first use, and
only the SQL text and the positions of its named values are kept (never a row of data).

    _ROLES = PreparedQuery(lambda user: Role.objects.filter(user=user).select_related(...), "user")
    roles = _ROLES.models(user=request.user.pk)

Each named value must reach the SQL as a parameter of its own (a filter's value, not a
``LIMIT``). The positions are found by compiling the queryset twice with two sets of stand-in
integers: a parameter that changes between the two is a named value, one that stays is the
queryset's own constant, so no constant can be mistaken for a named value.
"""

import itertools
import logging
import re

from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_STAND_INS = (32101, 32201)  # small integers: the ORM range-checks integer fields
_NAMES = itertools.count(1)  # each query's statement name on PostgreSQL: qpp_1, qpp_2, ...
_PLACEHOLDER = re.compile(r"%[%s]")

logger = logging.getLogger(__name__)


class PreparedQuery:
    """``build(**values)``: the queryset, for a value of each of ``names``.

    ``models(**values)``: its model instances (annotations as attributes), made as the ORM's
    own iterable makes them; ``rows(**values)``:
    the rows of a ``values_list()`` queryset, through the ORM's converters (on SQLite: aware
    datetimes, booleans). A subclass passes more to ``build`` (``_arguments``) and binds more
    than the named values (``_bind``): the CAHPS list's search words.

    On PostgreSQL the statement is also prepared on the server (``PREPARE``) once per database
    connection and run with ``EXECUTE``: PostgreSQL then parses it once and keeps its plan, which
    for the lists' joins costs more of the server's CPU than running them (0.5–2 ms against
    0.3–1.5 ms) [issue 24]. psycopg2 has no protocol-level prepared statements; SQL-level ones
    are PostgreSQL's own and live as long as the connection."""

    # Every query made, for ``compile_every_query`` (they are module-level constants).
    every = []

    def __init__(self, build, *names):
        PreparedQuery.every.append(self)
        self._build = build
        self._names = names
        self._compiled = None
        self._instances = None  # made with ``_compiled``: ``_instance_maker``
        self._statement_name = f"qpp_{next(_NAMES)}"
        self._server_refused = False

    def _arguments(self, stand_ins):
        return stand_ins

    def _bind(self, param, values):
        """A parameter that is the queryset's own (the same in both compilations)."""
        return param

    def _compile(self):
        compiled = []
        for base in _STAND_INS:
            stand_ins = {name: base + n for n, name in enumerate(self._names)}
            queryset = self._build(**self._arguments(stand_ins))
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            compiled.append(
                (queryset, compiler, sql, params, {value: name for name, value in stand_ins.items()})
            )
        (queryset, compiler, sql, params, first_names), (_, _, other_sql, other_params, other_names) = (
            compiled
        )
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("a named value changes the query's SQL, not only its parameters")
        slots = []
        for param, other in zip(params, other_params, strict=True):
            if param == other:
                slots.append(None)
            elif first_names.get(param) is not None and first_names[param] == other_names.get(other):
                slots.append(first_names[param])
            else:
                raise ValueError("a named value must reach the SQL unchanged, as a parameter of its own")
        if set(slots) - {None} != set(self._names):
            raise ValueError("every named value must be a parameter of the query")
        converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
        self._compiled = (queryset, compiler, sql, tuple(params), tuple(slots), converters)
        self._instances = _instance_maker(compiler)
        return self._compiled

    def compile(self):
        """Build the query's SQL now rather than at its first use (``qpp_registration.core.warm``)."""
        return self._compiled or self._compile()

    def statement(self, **values):
        """The SQL and its parameters for ``values``."""
        _queryset, _compiler, sql, params, slots, _converters = self.compile()
        bound = [
            values[slot] if slot else self._bind(param, values)
            for slot, param in zip(slots, params, strict=True)
        ]
        return sql, bound

    def models(self, **values):
        if not _storable(values):
            return []
        queryset = self.compile()[0]
        sql, params = self._executable(queryset.db, *self.statement(**values))
        if self._instances is None:
            return list(queryset.model.objects.db_manager(queryset.db).raw(sql, params))
        # Without RawQuerySet's matching of columns to fields on every run: 0.1 ms a query.
        return self._instances(queryset.db, self._fetch(sql, params))

    def rows(self, **values):
        if not _storable(values):
            return []
        queryset = self.compile()[0]
        return self._fetch(*self._executable(queryset.db, *self.statement(**values)))

    def _fetch(self, sql, params):
        """The rows of ``sql``, through the ORM's converters."""
        queryset, compiler, *_rest, converters = self._compiled
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(compiler.apply_converters(rows, converters)) if converters else rows

    def _executable(self, alias, sql, params):
        """``sql`` itself, or on PostgreSQL ``EXECUTE`` of the statement prepared from it on this
        connection (preparing it first if this connection has not)."""
        connection = connections[alias]
        if connection.vendor != "postgresql" or self._server_refused:
            return sql, params  # SQLite's driver keeps its own cache of parsed statements
        connection.ensure_connection()
        prepared = connection.__dict__.setdefault("qpp_prepared", set())
        name = self._statement_name
        if name not in prepared:
            numbers = itertools.count(1)
            server_sql = _PLACEHOLDER.sub(lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)
            # On the driver's own cursor, as Django sets a new connection up: a statement made once
            # per connection is not one of a page's queries. In a savepoint, so that a statement
            # PostgreSQL refused (a parameter whose type it cannot infer) would not end the
            # request's transaction: the ORM's SQL runs instead.
            with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                in_transaction = not connection.get_autocommit()
                if in_transaction:
                    cursor.execute("SAVEPOINT qpp_prepare")
                try:
                    cursor.execute(f"PREPARE {name} AS {server_sql}")
                except connection.Database.ProgrammingError:
                    if in_transaction:
                        cursor.execute("ROLLBACK TO SAVEPOINT qpp_prepare")
                    logger.warning("PostgreSQL did not prepare %s: it runs unprepared", name, exc_info=True)
                    self._server_refused = True
                    return sql, params
                if in_transaction:
                    cursor.execute("RELEASE SAVEPOINT qpp_prepare")
            prepared.add(name)
        if not params:
            return f"EXECUTE {name}", params
        return f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params


def _instance_maker(compiler):
    """A function making the model instances of the compiled query's rows as Django's own
    ``ModelIterable`` does (``Model.from_db`` on the model's columns, then each annotation set
    as an attribute), or None for a query of another shape (related models selected, columns
    chosen in another order): ``raw()`` reads those."""
    klass_info = compiler.klass_info
    if not klass_info or klass_info.get("related_klass_infos"):
        return None
    model, fields = klass_info["model"], klass_info["select_fields"]
    end = len(fields)
    columns = [column for column, _sql, _alias in compiler.select[:end]]
    annotations = tuple(compiler.annotation_col_map.items())
    if (
        list(fields) != list(range(end))
        or not all(hasattr(column, "target") and column.target.model is model for column in columns)
        or any(position < end for _name, position in annotations)
    ):
        return None
    names = [column.target.attname for column in columns]

    def instances(db, rows):
        made = []
        for row in rows:
            instance = model.from_db(db, names, row[:end])
            for name, position in annotations:
                setattr(instance, name, row[position])
            made.append(instance)
        return made

    return instances


@receiver(connection_created)
def _new_connection(sender, connection, **kwargs):
    """A new database connection has no prepared statements yet."""
    connection.__dict__["qpp_prepared"] = set()


def _storable(values):
    """Whether every integer given fits a 64-bit column (ids are ``BigAutoField``): a larger one
    (a URL's ``<int:...>`` takes any digits) matches nothing, as the ORM answers it, instead of
    the database refusing the statement."""
    return all(-(2**63) <= value < 2**63 for value in values.values() if type(value) is int)
