"""Django admin for CMS staff and the QPP Service Center [SPEC §7 Django admin].

``registration`` (the registrations, with ``actions``, ``export``, ``filters``,
``forms``, ``history`` and ``paginator``), ``years`` (performance years) and
``sampling`` (fall sampling notices) each register their models here. Every
change goes through the services; the shared admin base classes are
``qpp_registration.core.admin``.
"""

from registrations.admin import registration, sampling  # noqa: F401 - each registers its models
