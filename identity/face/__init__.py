"""Face checks (人脸核身): reference templates, consent, challenges, local
verification with liveness, and the FaceVerifier interface."""
