from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
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


class NamedEnumField(serializers.ChoiceField):
    """A choice field documented as one named enum component (`<prefix><Enum>Enum`), shared by
    every field with the same choices whatever it is called, so apps' `status` and `kind`
    fields never collide in the schema."""

    prefix = ""

    def __init__(self, enum, **kwargs):
        self.enum = enum
        super().__init__(choices=enum.choices, **kwargs)


class NamedEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "prm.api.fields.NamedEnumField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        enum = self.target.enum
        name = f"{self.target.prefix}{enum.__name__}Enum"
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": list(enum.values),
                "description": "\n".join(f"* `{v}` - {label}" for v, label in enum.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class AllowedActionsMixin(serializers.Serializer):
    """`allowed_actions`: what the requesting member may do with the object now, by action
    name, from its state machine (`machine`, a prm.states.StateMachine): the same actions the
    portal offers as buttons. The member comes from the serializer's context (`member`, or the
    request's). A subclass may redeclare the field with a help text naming its actions."""

    machine = None
    allowed_actions = serializers.SerializerMethodField(
        help_text="Actions the requesting member may take now (the same as the portal offers)."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj) -> list[str]:
        member = self.context.get("member") or getattr(self.context.get("request"), "member", None)
        if member is None:
            return []
        return sorted(self.machine.allowed(obj, member))
