// tfjs-core's gradient registration is a side-effect module without its own declaration file.
declare module '@tensorflow/tfjs-core/dist/register_all_gradients';
