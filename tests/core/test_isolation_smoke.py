from core.units.models import Unit


async def test_tenant_scoped_manager_filters(tenant, other_tenant):
    from core.context import tenant_context

    with tenant_context(tenant):
        await Unit.create(code="A", name="A")
    with tenant_context(other_tenant):
        assert await Unit.all().count() == 0
