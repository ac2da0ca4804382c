from rest_framework import serializers


class TenantPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related id resolved in the current tenant at validation time (ids of other tenants
    are 'does not exist', like any unknown id). The queryset is built lazily because
    serializers are also instantiated outside any tenant, e.g. to generate the schema."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**({"queryset": model.objects.none()} | kwargs))

    def get_queryset(self):
        return self.model.objects.all()
