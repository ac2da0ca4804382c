from rest_framework import serializers

from predict.models import PredictionModel, PredictionScore, Task


class CalibrationBucketSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()
    predicted = serializers.FloatField()
    observed = serializers.FloatField()
    count = serializers.IntegerField()


class ModelMetricsSerializer(serializers.Serializer):
    auc = serializers.FloatField(required=False, help_text="Model AUC on the hold-out.")
    rule_auc = serializers.FloatField(
        required=False, help_text="AUC of the rule it would replace, same hold-out rows."
    )
    brier = serializers.FloatField(required=False)
    base_rate = serializers.FloatField(required=False)
    k = serializers.IntegerField(required=False)
    precision_at_k = serializers.FloatField(required=False)
    rule_precision_at_k = serializers.FloatField(required=False)
    bootstrap_wins = serializers.FloatField(
        required=False, help_text="Share of paired resamples where the model's AUC is higher."
    )
    calibration = CalibrationBucketSerializer(many=True, required=False)
    top = serializers.IntegerField(required=False, help_text="Matching: the top k of a lead.")
    hit_rate = serializers.FloatField(
        required=False, help_text="Matching: share of test leads whose winner was in the top k."
    )
    rule_hit_rate = serializers.FloatField(
        required=False, help_text="Matching: the same share for the fixed routing weights."
    )
    test_events = serializers.IntegerField(required=False)
    model_auc = serializers.FloatField(
        required=False, help_text="IPP: AUC of the fitted model itself (auc is the weights')."
    )
    suggested_weights = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="IPP: suggested weights."
    )
    current_weights = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="IPP: weights when trained."
    )
    quick_days = serializers.IntegerField(required=False)
    grow_deals = serializers.IntegerField(required=False)


class PredictionModelSerializer(serializers.ModelSerializer):
    metrics = ModelMetricsSerializer(read_only=True)
    in_use = serializers.BooleanField(read_only=True)

    class Meta:
        model = PredictionModel
        fields = [
            "id",
            "task",
            "version",
            "status",
            "trained_at",
            "features",
            "params",
            "metrics",
            "window_start",
            "window_end",
            "test_start",
            "train_rows",
            "test_rows",
            "beats_rule",
            "in_use",
            "message",
        ]
        read_only_fields = fields


class FactorSerializer(serializers.Serializer):
    feature = serializers.CharField()
    value = serializers.FloatField()
    typical = serializers.FloatField()
    effect = serializers.FloatField(help_text="> 0 raises the probability (log-odds share).")


class PredictionScoreSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    model_version = serializers.IntegerField(source="model.version", read_only=True)
    factors = FactorSerializer(many=True, read_only=True)

    class Meta:
        model = PredictionScore
        fields = [
            "id",
            "task",
            "partner",
            "partner_name",
            "deal",
            "probability",
            "factors",
            "model",
            "model_version",
            "scored_at",
        ]
        read_only_fields = fields


class TrainRequestSerializer(serializers.Serializer):
    task = serializers.ChoiceField(choices=Task.choices)


class TrainQueuedSerializer(serializers.Serializer):
    task = serializers.CharField()
    queued = serializers.BooleanField()


class PredictSettingsSerializer(serializers.Serializer):
    inactivity_days = serializers.IntegerField(min_value=14, max_value=365)
