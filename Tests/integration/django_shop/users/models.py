from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Meiduo's user: Django's AbstractUser plus mobile and email_active, in tb_users. Unlike
    Meiduo's own model there is no default_address (the shops the service joins may lack it)."""

    mobile = models.CharField(max_length=11, unique=True, verbose_name="手机号")
    email_active = models.BooleanField(default=False, verbose_name="邮箱验证状态")

    class Meta:
        db_table = "tb_users"
        verbose_name = "用户"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.username
