"""The training models, moved out of onboarding: state only.

The tables were created by onboarding/migrations/0002_training.py and keep their names
(`db_table`), data, indexes, constraints, row-level security policies and grants; this
migration only tells Django that the `training` app owns them from now on. onboarding's
0004_training_moved_out removes them from onboarding's state.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import training.models
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('prm', '0006_notification_key'),
        ('onboarding', '0003_application_language'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Certification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('description', models.TextField(blank=True, max_length=2000, verbose_name='description')),
                        ('validity_months', models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)], verbose_name='valid for (months)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_certification',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Certificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('holder_name', models.CharField(max_length=200)),
                        ('code', models.CharField(default=training.models.new_verification_code, max_length=32)),
                        ('status', models.CharField(choices=[('active', 'Valid'), ('expired', 'Expired')], default='active', max_length=10)),
                        ('first_issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('renewals', models.PositiveSmallIntegerField(default=0)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('certification', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='training.certification')),
                    ],
                    options={
                        'db_table': 'onboarding_certificate',
                        'ordering': ['expires_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Course',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(help_text='A short reference such as SALES-101; onboarding steps can name it.', max_length=40, verbose_name='code')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('summary', models.TextField(blank=True, max_length=2000, verbose_name='summary')),
                        ('estimated_minutes', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MaxValueValidator(6000)], verbose_name='estimated time (minutes)')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=10, verbose_name='status')),
                        ('quiz_pass_mark', models.PositiveSmallIntegerField(default=80, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='pass mark (%)')),
                        ('quiz_max_attempts', models.PositiveSmallIntegerField(default=3, help_text='Per round of the course; 0 allows any number.', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='attempts allowed')),
                        ('quiz_cooldown_hours', models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MaxValueValidator(720)], verbose_name='wait after a failed attempt (hours)')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_course',
                        'ordering': ['title', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CertificationCourse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('certification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='certification_courses', to='training.certification')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='training.course')),
                    ],
                    options={
                        'db_table': 'onboarding_certificationcourse',
                    },
                ),
                migrations.AddField(
                    model_name='certification',
                    name='courses',
                    field=models.ManyToManyField(related_name='+', through='training.CertificationCourse', to='training.course'),
                ),
                migrations.CreateModel(
                    name='LearningPath',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('description', models.TextField(blank=True, max_length=2000, verbose_name='description')),
                        ('training_role', models.CharField(blank=True, choices=[('sales', 'Sales'), ('technical', 'Technical'), ('support', 'Support')], help_text='Leave empty for everybody.', max_length=12, verbose_name='training role')),
                        ('partner_type', models.CharField(blank=True, choices=[('reseller', 'Reseller'), ('referral', 'Referral partner'), ('system_integrator', 'System integrator'), ('isv', 'ISV'), ('msp', 'MSP'), ('influencer', 'Influencer')], help_text='Leave empty for every partner type.', max_length=32, verbose_name='partner type')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_learningpath',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Lesson',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, max_length=100000, verbose_name='text (Markdown)')),
                        ('body_html', models.TextField(blank=True)),
                        ('video_url', models.URLField(blank=True, help_text='https link on YouTube or Vimeo.', max_length=500, verbose_name='video link')),
                        ('file', models.FileField(blank=True, max_length=300, upload_to=training.models.lesson_file_path)),
                        ('file_name', models.CharField(blank=True, max_length=200)),
                        ('file_content_type', models.CharField(blank=True, max_length=80)),
                        ('file_size', models.PositiveIntegerField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lessons', to='training.course')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_lesson',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Enrollment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('path', 'Learning path'), ('manual', 'Enrolled by an admin'), ('self', 'Self-enrolled')], max_length=10)),
                        ('enrolled_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('cycle', models.PositiveSmallIntegerField(default=1)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('last_completed_at', models.DateTimeField(blank=True, null=True)),
                        ('best_score', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrollments', to='training.course')),
                        ('enrolled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='prm.member')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('path', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='training.learningpath')),
                        ('last_lesson', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='training.lesson')),
                    ],
                    options={
                        'db_table': 'onboarding_enrollment',
                    },
                ),
                migrations.CreateModel(
                    name='LessonProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('completed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='training.enrollment')),
                        ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='training.lesson')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_lessonprogress',
                    },
                ),
                migrations.CreateModel(
                    name='PathCourse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='training.course')),
                        ('path', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='path_courses', to='training.learningpath')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_pathcourse',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.AddField(
                    model_name='learningpath',
                    name='courses',
                    field=models.ManyToManyField(related_name='+', through='training.PathCourse', to='training.course'),
                ),
                migrations.CreateModel(
                    name='Question',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('text', models.TextField(max_length=2000, verbose_name='question')),
                        ('kind', models.CharField(choices=[('single', 'One correct answer'), ('multiple', 'Several correct answers')], default='single', max_length=10, verbose_name='kind')),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='training.course')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_question',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Option',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveSmallIntegerField(default=0)),
                        ('text', models.CharField(max_length=500, verbose_name='answer')),
                        ('is_correct', models.BooleanField(default=False, verbose_name='correct')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='options', to='training.question')),
                    ],
                    options={
                        'db_table': 'onboarding_option',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='QuizAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cycle', models.PositiveSmallIntegerField(default=1)),
                        ('number', models.PositiveSmallIntegerField(default=1)),
                        ('layout', models.JSONField(default=list)),
                        ('answers', models.JSONField(blank=True, default=dict)),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('correct_count', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('question_count', models.PositiveSmallIntegerField(default=0)),
                        ('passed', models.BooleanField(blank=True, null=True)),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='training.course')),
                        ('enrollment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='training.enrollment')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_quizattempt',
                        'ordering': ['-started_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='TrainingProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('training_role', models.CharField(blank=True, choices=[('sales', 'Sales'), ('technical', 'Technical'), ('support', 'Support')], max_length=12, verbose_name='training role')),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.member')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_trainingprofile',
                    },
                ),
                migrations.CreateModel(
                    name='CertificateNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reminder_30', '30 days before expiry'), ('reminder_7', '7 days before expiry'), ('expired', 'Expired')], max_length=12)),
                        ('expires_at', models.DateTimeField()),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('recipients', models.JSONField(default=list)),
                        ('certificate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='training.certificate')),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='prm.tenant')),
                    ],
                    options={
                        'db_table': 'onboarding_certificatenotice',
                        'ordering': ['-sent_at'],
                        'constraints': [models.UniqueConstraint(fields=('tenant', 'certificate', 'kind', 'expires_at'), name='certificatenotice_once')],
                    },
                ),
                migrations.AddIndex(
                    model_name='certificate',
                    index=models.Index(fields=['tenant', 'status', 'expires_at'], name='certificate_expiry_idx'),
                ),
                migrations.AddConstraint(
                    model_name='certificate',
                    constraint=models.UniqueConstraint(fields=('tenant', 'member', 'certification'), name='certificate_once_per_member'),
                ),
                migrations.AddConstraint(
                    model_name='certificate',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='certificate_unique_code'),
                ),
                migrations.AddIndex(
                    model_name='course',
                    index=models.Index(fields=['tenant', 'status'], name='course_status_idx'),
                ),
                migrations.AddConstraint(
                    model_name='course',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='course_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='certificationcourse',
                    constraint=models.UniqueConstraint(fields=('tenant', 'certification', 'course'), name='certificationcourse_unique'),
                ),
                migrations.AddConstraint(
                    model_name='certification',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='certification_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='certification',
                    constraint=models.UniqueConstraint(fields=('tenant', 'name'), name='certification_unique_name'),
                ),
                migrations.AddIndex(
                    model_name='lesson',
                    index=models.Index(fields=['tenant', 'course', 'order'], name='lesson_course_idx'),
                ),
                migrations.AddIndex(
                    model_name='enrollment',
                    index=models.Index(fields=['tenant', 'course'], name='enrollment_course_idx'),
                ),
                migrations.AddConstraint(
                    model_name='enrollment',
                    constraint=models.UniqueConstraint(fields=('tenant', 'member', 'course'), name='enrollment_once_per_course'),
                ),
                migrations.AddConstraint(
                    model_name='lessonprogress',
                    constraint=models.UniqueConstraint(fields=('tenant', 'enrollment', 'lesson'), name='lessonprogress_unique'),
                ),
                migrations.AddConstraint(
                    model_name='pathcourse',
                    constraint=models.UniqueConstraint(fields=('tenant', 'path', 'course'), name='pathcourse_unique'),
                ),
                migrations.AddConstraint(
                    model_name='learningpath',
                    constraint=models.UniqueConstraint(fields=('tenant', 'name'), name='learningpath_unique_name'),
                ),
                migrations.AddIndex(
                    model_name='quizattempt',
                    index=models.Index(fields=['tenant', 'course'], name='quizattempt_course_idx'),
                ),
                migrations.AddConstraint(
                    model_name='quizattempt',
                    constraint=models.UniqueConstraint(fields=('tenant', 'enrollment', 'cycle', 'number'), name='quizattempt_unique_number'),
                ),
                migrations.AddConstraint(
                    model_name='quizattempt',
                    constraint=models.UniqueConstraint(condition=models.Q(('submitted_at__isnull', True)), fields=('tenant', 'enrollment'), name='quizattempt_one_open'),
                ),
                migrations.AddConstraint(
                    model_name='trainingprofile',
                    constraint=models.UniqueConstraint(fields=('tenant', 'member'), name='trainingprofile_unique'),
                ),
            ],
        ),
    ]
