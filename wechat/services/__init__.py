"""WeChat use cases, split by topic: login and merging, phone, the citizen's
profile and account closure, subscriptions and message delivery, 人脸核身."""
